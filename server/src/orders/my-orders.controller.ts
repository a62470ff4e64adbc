import type { MemberOrderListResponse, MemberOrderView } from '@member/shared';
import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { CurrentSession, MemberAuthGuard } from '../auth/auth.guards';
import type { SessionClaims } from '../auth/session';
import { ZodPipe } from '../common/zod.pipe';
import { MyOrdersService } from './my-orders.service';
import { myOrderRef, myOrdersQuery } from './pay/payments.dto';

/** 我的订单: the member's app and till orders. */
@Controller('my-orders')
@UseGuards(MemberAuthGuard)
export class MyOrdersController {
  constructor(private readonly orders: MyOrdersService) {}

  @Get()
  list(
    @CurrentSession() session: SessionClaims,
    @Query(new ZodPipe(myOrdersQuery)) query: { cursor?: string },
  ): Promise<MemberOrderListResponse> {
    return this.orders.list(session.memberId, query.cursor);
  }

  @Get(':ref')
  detail(@CurrentSession() session: SessionClaims, @Param('ref', new ZodPipe(myOrderRef)) ref: string): Promise<MemberOrderView> {
    return this.orders.detail(session.memberId, ref);
  }
}
