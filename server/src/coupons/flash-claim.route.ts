import { API_PREFIX, type ApiErrorBody, type CouponView } from '@member/shared';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken } from '../auth/auth.guards';
import { SessionTokens } from '../auth/session';
import { DomainError } from '../common/domain-error';
import { refusal } from '../common/error.filter';
import { parseOrRefuse } from '../common/zod.pipe';
import { ClaimService } from './claim.service';
import { claimBody, idParam } from './coupons.dto';

export const FLASH_CLAIM_PATH = `${API_PREFIX}/coupons/templates/:id/claim`;

/**
 * POST /api/coupons/templates/:id/claim, the flash claim (限时抢券), as a route of the HTTP server itself rather than
 * a Nest controller method: at a flash sale it is the one route taking thousands of requests a second, and Nest's
 * per-request pipeline around it (execution context, guard and pipe promises, the response controller) was 10–17 %
 * of the server's CPU per claim at 512 concurrent, measured in `npm run bench -- claim` against the controller
 * method in alternating runs.
 *
 * What it answers is what the controller answered, checked by the same code in the same order:
 * - the caller's session (SessionTokens, as MemberAuthGuard); the deleted-account check (SESSION_REVOKED) is made by
 *   ClaimService.claimResult inside the read of the member it makes anyway;
 * - the template id, then the body, against the route's zod schemas (VALIDATION_FAILED naming the fields);
 * - a coupon (200) or a refusal as a value with its code's status.
 * Anything thrown (no or a bad token, bad input, a bug) goes to the server's error handler, which Nest points at the
 * global ApiErrorFilter, so errors leave with the same body, status and request id as every other route's; the
 * security headers, the request id header and the plain-decimal check on JSON bodies are server-wide hooks.
 */
@Injectable()
export class FlashClaimRoute implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly sessions: SessionTokens,
    private readonly claims: ClaimService,
  ) {}

  onModuleInit(): void {
    // A module compiled without an HTTP server (a service test) has no route to add.
    const server = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!server) return;
    server.post(FLASH_CLAIM_PATH, (request, reply) => this.claim(request, reply));
  }

  async claim(request: FastifyRequest, reply: FastifyReply): Promise<CouponView | ApiErrorBody> {
    const token = bearerToken(request);
    if (!token) throw new DomainError('AUTH_REQUIRED');
    const session = this.sessions.verify(token);
    const templateId = parseOrRefuse(idParam, (request.params as { id?: unknown }).id);
    const body = parseOrRefuse(claimBody, request.body);
    const result = await this.claims.claimResult(session.memberId, templateId, body.idempotencyKey);
    return result.kind === 'coupon' ? result.view : refusal(reply, result.code);
  }
}
