import type {
  CheckoutOptions,
  CreatePayOrderRequest,
  CreatePayOrderResponse,
  CreatePayRefundRequest,
  PayOrderListResponse,
  PayOrderStatus,
  PayOrderView,
  PendingPayOrderResponse,
} from '@member/shared';
import { Body, Controller, Get, HttpCode, Logger, Param, Post, Query, Req, Res, UseGuards, type RawBodyRequest } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentSession, CurrentStaff, MemberAuthGuard, StaffGuard } from '../../auth/auth.guards';
import type { SessionClaims } from '../../auth/session';
import type { StaffAccount } from '../../auth/staff.service';
import { StoresService } from '../../auth/stores.service';
import { Audited, setAuditStore } from '../../audit/audit.interceptor';
import { WechatCall } from '../../throttle/wechat-call.throttle';
import { ZodPipe } from '../../common/zod.pipe';
import { checkoutQuery, createOrderBody, orderQuery, outTradeNoParam, refundBody, staffOrdersQuery } from './payments.dto';
import { PayCheckoutService } from './pay-checkout.service';
import { PayCompletionService } from './pay-completion.service';
import { PayRefundsService } from './pay-refunds.service';
import { PayUnpaidOrders } from './pay-unpaid.service';
import { PayViews } from './pay-views.service';
import { NotificationRejected, WechatPayClient, type WechatRefund, type WechatTransaction } from './wechat-pay.client';

/** The member pays in the app. */
@Controller('pay')
@UseGuards(MemberAuthGuard)
export class PayController {
  constructor(
    private readonly payments: PayCheckoutService,
    private readonly unpaid: PayUnpaidOrders,
  ) {}

  @Get('checkout')
  checkout(
    @CurrentSession() session: SessionClaims,
    @Query(new ZodPipe(checkoutQuery)) query: { amountFen: number; storeCode: string },
  ): Promise<CheckoutOptions> {
    return this.payments.checkout(session.memberId, query.amountFen, query.storeCode);
  }

  @Post('orders')
  @HttpCode(200)
  create(
    @CurrentSession() session: SessionClaims,
    @Body(new ZodPipe(createOrderBody)) body: CreatePayOrderRequest,
  ): Promise<CreatePayOrderResponse> {
    return this.payments.create(session.memberId, body);
  }

  /** The member's unpaid order, found again after a reload (首页's banner, 我的订单). */
  @Get('orders/pending')
  pending(@CurrentSession() session: SessionClaims): Promise<PendingPayOrderResponse> {
    return this.unpaid.pending(session.memberId);
  }

  /** Pay an unpaid order again: its prepay reused, or (past WeChat's 2 h) asked again for the same order. */
  @Post('orders/:outTradeNo/resume')
  @HttpCode(200)
  resume(
    @CurrentSession() session: SessionClaims,
    @Param('outTradeNo', new ZodPipe(outTradeNoParam)) outTradeNo: string,
  ): Promise<CreatePayOrderResponse> {
    return this.unpaid.resume(session.memberId, outTradeNo);
  }

  /** With confirm=1 this asks WeChat: throttled per member and per IP. */
  @Get('orders/:outTradeNo')
  @WechatCall('payConfirm')
  get(
    @CurrentSession() session: SessionClaims,
    @Param('outTradeNo', new ZodPipe(outTradeNoParam)) outTradeNo: string,
    @Query(new ZodPipe(orderQuery)) query: { confirm?: string },
  ): Promise<CreatePayOrderResponse> {
    return this.payments.get(session.memberId, outTradeNo, query.confirm === '1');
  }

  @Post('orders/:outTradeNo/cancel')
  @HttpCode(200)
  cancel(
    @CurrentSession() session: SessionClaims,
    @Param('outTradeNo', new ZodPipe(outTradeNoParam)) outTradeNo: string,
  ): Promise<PayOrderView> {
    return this.payments.cancel(session.memberId, outTradeNo);
  }
}

/** Clerks and store managers: their stores' app orders, and refunds of them; admins: every store's. */
@Controller('staff/pay/orders')
@UseGuards(StaffGuard)
export class StaffPayController {
  constructor(
    private readonly views: PayViews,
    private readonly refunds: PayRefundsService,
    private readonly stores: StoresService,
  ) {}

  @Get()
  list(
    @CurrentStaff() staff: StaffAccount,
    @Query(new ZodPipe(staffOrdersQuery)) query: { status?: PayOrderStatus; before?: number },
  ): Promise<PayOrderListResponse> {
    return this.views.staffOrders(query.status, query.before, this.stores.visibleStores(staff));
  }

  @Get(':outTradeNo')
  @Audited('pay_order.view')
  async get(
    @CurrentStaff() staff: StaffAccount,
    @Param('outTradeNo', new ZodPipe(outTradeNoParam)) outTradeNo: string,
  ): Promise<PayOrderView> {
    const order = await this.views.staffOrder(outTradeNo);
    this.stores.assertWorksAt(staff, order.storeCode);
    return order;
  }

  @Post(':outTradeNo/refunds')
  @HttpCode(200)
  @Audited('pay_order.refund')
  async refund(
    @CurrentStaff() staff: StaffAccount,
    @Req() request: unknown,
    @Param('outTradeNo', new ZodPipe(outTradeNoParam)) outTradeNo: string,
    @Body(new ZodPipe(refundBody)) body: CreatePayRefundRequest,
  ): Promise<PayOrderView> {
    const order = await this.views.staffOrder(outTradeNo);
    setAuditStore(request, order.storeCode);
    this.stores.assertWorksAt(staff, order.storeCode);
    return this.refunds.refund(outTradeNo, body, staff.openid);
  }
}

/**
 * WeChat Pay's notifications. The answer is the HTTP status (204 = done; 4xx/5xx = WeChat retries): a
 * notification that does not verify is refused with 400 and changes nothing; one that verifies but cannot be
 * processed now answers 500 so WeChat sends it again. Verification needs the raw body bytes.
 */
@Controller('pay/notify')
export class PayNotifyController {
  private readonly logger = new Logger(PayNotifyController.name);

  constructor(
    private readonly completion: PayCompletionService,
    private readonly refunds: PayRefundsService,
    private readonly wechatPay: WechatPayClient,
  ) {}

  @Post('transaction')
  async transaction(@Req() request: RawBodyRequest<FastifyRequest>, @Res() reply: FastifyReply): Promise<void> {
    await this.handle(request, reply, async (eventType, resource: WechatTransaction) => {
      if (eventType === 'TRANSACTION.SUCCESS') await this.completion.applyTransaction(resource);
    });
  }

  @Post('refund')
  async refund(@Req() request: RawBodyRequest<FastifyRequest>, @Res() reply: FastifyReply): Promise<void> {
    await this.handle(request, reply, async (eventType, resource: WechatRefund) => {
      if (eventType.startsWith('REFUND.')) await this.refunds.applyRefund(resource);
    });
  }

  private async handle<T>(
    request: RawBodyRequest<FastifyRequest>,
    reply: FastifyReply,
    apply: (eventType: string, resource: T) => Promise<void>,
  ): Promise<void> {
    if (!this.wechatPay.configured) {
      await reply.status(404).send({ code: 'FAIL', message: '未开通微信支付' });
      return;
    }
    const raw = request.rawBody?.toString('utf8') ?? '';
    let notification;
    try {
      notification = await this.wechatPay.verifyNotification<T>(request.headers as Record<string, string | undefined>, raw);
    } catch (error) {
      if (!(error instanceof NotificationRejected)) throw error;
      this.logger.warn({ reason: error.reason }, 'WeChat Pay notification refused');
      await reply.status(400).send({ code: 'FAIL', message: '验签失败' });
      return;
    }
    try {
      await apply(notification.eventType, notification.resource);
    } catch (error) {
      this.logger.error({ err: error, notificationId: notification.id }, 'WeChat Pay notification not processed; WeChat will retry');
      await reply.status(500).send({ code: 'FAIL', message: '处理失败' });
      return;
    }
    await reply.status(204).send();
  }
}
