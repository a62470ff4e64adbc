import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { DomainError } from './domain-error';

/** A value checked against a zod schema; any problem is VALIDATION_FAILED naming the fields. */
export function parseOrRefuse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new DomainError(
    'VALIDATION_FAILED',
    result.error.issues.map((issue) => ({ path: issue.path.join('.') || '(body)', reason: issue.message })),
  );
}

/** Validates a body, query or param against a zod schema (parseOrRefuse). */
export class ZodPipe<T extends z.ZodType> implements PipeTransform<unknown, z.infer<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown): z.infer<T> {
    return parseOrRefuse(this.schema, value);
  }
}
