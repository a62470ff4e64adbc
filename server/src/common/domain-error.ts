import type { ApiErrorBody, ErrorCode } from '@member/shared';

/**
 * An expected failure that is part of the API contract ("phone already bound", "code expired"). The
 * exception filter turns it into the shared status, code and zh-CN message. Bugs are plain Errors.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly details?: ApiErrorBody['details'],
    /** Developer-facing context for logs; never shown to the member. */
    readonly context?: Record<string, unknown>,
  ) {
    super(code);
    this.name = 'DomainError';
  }
}
