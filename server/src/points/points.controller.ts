import type { PointsResponse, PurchaseView, RecordPurchaseRequest, RefundPurchaseRequest, RefundView } from '@member/shared';
import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { CurrentSession, MemberAuthGuard, StaffGuard } from '../auth/auth.guards';
import type { SessionClaims } from '../auth/session';
import { ZodPipe } from '../common/zod.pipe';
import { PointsHistoryService } from './points-history.service';
import { historyQuery, purchaseIdParam, recordPurchaseBody, refundBody } from './points.dto';
import { PurchasesService } from './purchases.service';

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

/** The clerk at the till: record a purchase for a scanned member, look it up, refund it. */
@Controller('staff/purchases')
@UseGuards(StaffGuard)
export class StaffPurchasesController {
  constructor(private readonly purchases: PurchasesService) {}

  @Post()
  @HttpCode(200)
  record(@CurrentSession() session: SessionClaims, @Body(new ZodPipe(recordPurchaseBody)) body: RecordPurchaseRequest): Promise<PurchaseView> {
    return this.purchases.record(body, session.openid);
  }

  @Get(':id')
  get(@Param('id', new ZodPipe(purchaseIdParam)) id: number): Promise<PurchaseView> {
    return this.purchases.get(id);
  }

  @Post(':id/refunds')
  @HttpCode(200)
  refund(@CurrentSession() session: SessionClaims, @Param('id', new ZodPipe(purchaseIdParam)) id: number, @Body(new ZodPipe(refundBody)) body: RefundPurchaseRequest): Promise<RefundView> {
    return this.purchases.refund(id, body, session.openid);
  }
}
