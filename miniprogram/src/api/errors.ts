import { ERRORS, isErrorCode, type ApiErrorBody, type ErrorCode } from '@member/shared';

/** Failures that never reached our API or got no usable answer from it. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'BAD_RESPONSE' | 'LOGIN_FAILED';

export const CLIENT_ERROR_MESSAGES: Record<ClientErrorCode, string> = {
  NETWORK_ERROR: '网络连接失败，请检查网络后重试',
  BAD_RESPONSE: '服务暂时不可用，请稍后再试',
  LOGIN_FAILED: '登录失败，请稍后重试',
};

/** What every API call rejects with. Pages show `message` (zh-CN, from the server when it sent one). */
export class ApiError extends Error {
  readonly code: ErrorCode | ClientErrorCode;
  /** HTTP status; 0 when no answer arrived. */
  readonly status: number;
  readonly requestId?: string;
  /** VALIDATION_FAILED only: which fields the server refused (paths like `terms.valueFen`). */
  readonly details?: ApiErrorBody['details'];

  constructor(code: ErrorCode | ClientErrorCode, message: string, status: number, requestId?: string, details?: ApiErrorBody['details']) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.requestId = requestId;
    this.details = details;
  }

  static client(code: ClientErrorCode, status = 0, message = CLIENT_ERROR_MESSAGES[code]): ApiError {
    return new ApiError(code, message, status);
  }

  /** Builds the error for a non-2xx answer, trusting only a well-formed ApiErrorBody. */
  static fromResponse(status: number, body: unknown): ApiError {
    const candidate = (body ?? {}) as Partial<ApiErrorBody>;
    if (isErrorCode(candidate.code)) {
      const message = typeof candidate.message === 'string' && candidate.message ? candidate.message : ERRORS[candidate.code].message;
      const details = Array.isArray(candidate.details) ? candidate.details.filter((d) => d && typeof d.path === 'string') : undefined;
      return new ApiError(candidate.code, message, status, candidate.requestId, details);
    }
    // No contract body (a proxy's page, a crash): pick the closest known meaning by status.
    if (status === 401) return new ApiError('AUTH_REQUIRED', ERRORS.AUTH_REQUIRED.message, status);
    if (status === 403) return new ApiError('FORBIDDEN', ERRORS.FORBIDDEN.message, status);
    if (status === 429) return new ApiError('RATE_LIMITED', ERRORS.RATE_LIMITED.message, status);
    if (status >= 500 && status !== 502 && status !== 503 && status !== 504) {
      return new ApiError('INTERNAL_ERROR', ERRORS.INTERNAL_ERROR.message, status);
    }
    return ApiError.client('BAD_RESPONSE', status);
  }
}

/**
 * Whether the request may have reached the server without us seeing the answer (no answer, or a 5xx):
 * a retry of such a request must carry the same idempotency key.
 */
export function outcomeUnknown(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 0 || error.status >= 500);
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** Any thrown value → a message a person can read. */
export function messageOf(error: unknown, fallback = CLIENT_ERROR_MESSAGES.NETWORK_ERROR): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && /[\u4e00-\u9fa5]/.test(error.message)) return error.message;
  return fallback;
}
