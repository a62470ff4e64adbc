import { API_PREFIX, ERRORS, errorMessage, type ApiErrorBody, type ErrorCode } from '@member/shared';
import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { WechatApiError, WechatUnavailableError } from '../wechat/wechat.errors';
import { DomainError } from './domain-error';

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'AUTH_REQUIRED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'NOT_FOUND',
  413: 'VALIDATION_FAILED',
  415: 'VALIDATION_FAILED',
  429: 'RATE_LIMITED',
};

/** The body every error leaves with: the filter's, and a route's that answers a refusal as a value. */
export function apiErrorBody(code: ErrorCode, requestId: string, details?: ApiErrorBody['details']): ApiErrorBody {
  return { code, message: errorMessage(code), ...(details?.length ? { details } : {}), requestId };
}

/**
 * An expected refusal answered without an exception, as the filter would answer its DomainError: the code's
 * status on the reply, and the body for the route to return. For hot routes whose refusals are common (a sold-out
 * flash claim answers thousands a second), where the exception's stack and the framework's error path cost more
 * than the answer.
 */
export function refusal(reply: FastifyReply, code: ErrorCode): ApiErrorBody {
  void reply.status(ERRORS[code].status);
  return apiErrorBody(code, String(reply.request.id));
}

/**
 * Every error leaves as `{code, message, requestId}`: domain errors with their own status; framework 4xx
 * (unknown route, malformed JSON, wrong content type) mapped onto the same codes; anything else is a bug,
 * logged with the request id and answered 500 without internals.
 */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiError');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const requestId = String(request.id);
    const { status, body } = this.describe(error, requestId, request);
    // WeChat Pay reads its notify URLs' answers as {code: 'FAIL', message}, even when our JSON parser refused the body.
    if (request.url.startsWith(`${API_PREFIX}/pay/notify/`)) {
      void reply.status(status).send({ code: 'FAIL', message: status < 500 ? '请求格式错误' : '处理失败' });
      return;
    }
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }

  private describe(error: unknown, requestId: string, request: FastifyRequest): { status: number; body: ApiErrorBody } {
    const answer = (code: ErrorCode, details?: ApiErrorBody['details']) => ({
      status: ERRORS[code].status,
      body: apiErrorBody(code, requestId, details),
    });
    if (error instanceof DomainError) return answer(error.code, error.details);
    const status = error instanceof HttpException ? error.getStatus() : Number((error as { statusCode?: number }).statusCode);
    if (status >= 400 && status < 500) {
      return answer(STATUS_CODES[status] ?? 'VALIDATION_FAILED', [{ path: '(request)', reason: (error as Error).message }]);
    }
    if (error instanceof WechatUnavailableError || error instanceof WechatApiError) {
      this.logger.error({ requestId, endpoint: error.endpoint, err: error.message }, 'WeChat call failed');
      return answer('WECHAT_UNAVAILABLE');
    }
    this.logger.error({ requestId, method: request.method, route: request.routeOptions?.url, err: error }, 'unexpected error');
    return answer('INTERNAL_ERROR');
  }
}
