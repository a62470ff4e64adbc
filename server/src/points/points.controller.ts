import type { ClaimCouponRequest, CouponView, PointsShopEntry, PointsResponse } from '@member/shared';
import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { CurrentSession, MemberAuthGuard } from '../auth/auth.guards';
import type { SessionClaims } from '../auth/session';
import { ZodPipe } from '../common/zod.pipe';
import { claimBody, idParam } from '../coupons/coupons.dto';
import { PointsHistoryService } from './points-history.service';
import { PointsShopService } from './points-shop.service';
import { historyQuery } from './points.dto';

/** The member's points: balance, what expires, and the history. */
@Controller('members/me/points')
@UseGuards(MemberAuthGuard)
export class PointsController {
  constructor(private readonly history: PointsHistoryService) {}

  @Get()
  points(@CurrentSession() session: SessionClaims, @Query(new ZodPipe(historyQuery)) query: { before?: number }): Promise<PointsResponse> {
    return this.history.history(session.memberId, query.before ?? null);
  }
}

/** The points shop: coupons priced in points. */
@Controller('points-shop')
@UseGuards(MemberAuthGuard)
export class PointsShopController {
  constructor(private readonly shop: PointsShopService) {}

  @Get()
  entries(@CurrentSession() session: SessionClaims): Promise<PointsShopEntry[]> {
    return this.shop.entries(session.memberId);
  }

  @Post(':id/exchange')
  @HttpCode(200)
  exchange(
    @CurrentSession() session: SessionClaims,
    @Param('id', new ZodPipe(idParam)) templateId: number,
    @Body(new ZodPipe(claimBody)) body: ClaimCouponRequest,
  ): Promise<CouponView> {
    return this.shop.exchange(session.memberId, templateId, body.idempotencyKey);
  }
}
