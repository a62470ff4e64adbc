import { Injectable, Logger, SetMetadata, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { catchError, from, mergeMap, type Observable } from 'rxjs';
import type { AuthenticatedRequest } from '../auth/auth.guards';
import { DomainError } from '../common/domain-error';
import { AuditService, type AuditFacts } from './audit.service';

type Json = Record<string, unknown> | undefined;
export interface AuditInput {
  body: Json;
  params: Json;
  query: Json;
  /** The handler's answer (undefined when it failed). */
  result: Json;
}
export type AuditDescriber = (input: AuditInput) => Partial<Omit<AuditFacts, 'action' | 'outcome'>>;

const AUDIT_KEY = 'auditAction';

/**
 * Names a staff route's action in the audit log and says which numbers matter. Staff routes that change
 * something are audited even without it (named by method and route); reads of personal data use it.
 */
export const Audited = (action: string, describe?: AuditDescriber) => SetMetadata(AUDIT_KEY, { action, describe });

/** The request's store, once a controller has decided it (the store comes from the account, not the body). */
export function setAuditStore(request: unknown, storeCode: string): void {
  (request as { auditStore?: string }).auditStore = storeCode;
}

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** What most staff routes carry: amounts in the body, the member and store in the answer, the target in the path. */
function describeDefault({ body, params, result }: AuditInput): Partial<AuditFacts> {
  const member = result?.member as Json;
  return {
    target: (params?.id ?? params?.outTradeNo ?? (result?.id as number | undefined) ?? null) as string | number | null,
    memberId: num(result?.memberId) ?? num(member?.id) ?? num(body?.memberId),
    amountFen: num(body?.amountFen) ?? num(body?.orderAmountFen),
    points: num(body?.pointsToBurn),
    storeCode: typeof result?.storeCode === 'string' ? result.storeCode : null,
  };
}

/**
 * Every staff action goes to the audit log, success or refusal (who, role, store, what, when, amounts, how it
 * ended), after the handler: a refusal such as a wrong member code or another store's sale is recorded too.
 * Codes (member codes, coupon codes) are never logged: they are bearer secrets. Attached to every route behind
 * StaffGuard by auditStaffRoutes (audit-routes.ts), and to no other route.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Audit');
  /**
   * A measurement switch, not a setting: AUDIT_LOG=off leaves the audit log out so test/bench/audit.ts can
   * measure what it costs. Honoured only in a NODE_ENV=test process (the bench's); production never sets it
   * and would ignore it.
   */
  private readonly off = process.env.NODE_ENV === 'test' && process.env.AUDIT_LOG === 'off';

  constructor(
    private readonly audit: AuditService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || this.off) return next.handle();
    const request = context.switchToHttp().getRequest<
      AuthenticatedRequest & {
        method: string;
        id?: string;
        body?: Json;
        params?: Json;
        query?: Json;
        routeOptions?: { url?: string };
        auditStore?: string;
      }
    >();
    const staff = request.staff;
    const marked = this.reflector.get<{ action: string; describe?: AuditDescriber } | undefined>(AUDIT_KEY, context.getHandler());
    if (!staff || (!marked && request.method === 'GET')) return next.handle();
    const action = marked?.action ?? `${request.method} ${request.routeOptions?.url ?? ''}`;
    const write = async (outcome: string, result: Json) => {
      const input = { body: request.body, params: request.params, query: request.query, result };
      const facts = {
        ...describeDefault(input),
        ...Object.fromEntries(Object.entries(marked?.describe?.(input) ?? {}).filter(([, v]) => v !== undefined)),
      };
      const storeCode = request.auditStore ?? facts.storeCode ?? (staff.stores.length === 1 ? staff.stores[0] : null);
      try {
        await this.audit.record(staff, { ...facts, action, outcome, storeCode, requestId: request.id ?? null });
      } catch (error) {
        // The action itself has committed: answering 500 now would make the till retry it. Logged loudly instead.
        this.logger.error({ err: error, action, staffId: staff.id }, 'audit log write failed');
      }
    };
    return next.handle().pipe(
      mergeMap((result) => from(write('ok', result as Json).then(() => result))),
      catchError((error: unknown) =>
        from(write(error instanceof DomainError ? error.code : 'INTERNAL_ERROR', undefined).then(() => Promise.reject(error))),
      ),
    );
  }
}
