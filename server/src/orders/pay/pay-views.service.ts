import {
  type CreatePayOrderResponse,
  type PayOrderListResponse,
  PayOrderStatus,
  type PayOrderView,
  type PayRefundView,
} from '@member/shared';
import { Injectable } from '@nestjs/common';
import { DataSource, In, LessThan } from 'typeorm';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/domain-error';
import { couponsRepository } from '../../coupons/coupons.repository';
import { PurchasesService } from '../purchases.service';
import { PurchaseRefund } from '../sale.entities';
import { PayOrder, PayRefund } from './pay-order.entity';
import { WechatPayClient } from './wechat-pay.client';

const STAFF_PAGE = 30;

/** App orders as the member and staff see them. */
@Injectable()
export class PayViews {
  constructor(
    private readonly dataSource: DataSource,
    private readonly purchases: PurchasesService,
    private readonly wechatPay: WechatPayClient,
    private readonly clock: Clock,
  ) {}

  async staffOrder(outTradeNo: string): Promise<PayOrderView> {
    const order = await this.dataSource.getRepository(PayOrder).findOneBy({ outTradeNo });
    if (!order) throw new DomainError('PAY_ORDER_NOT_FOUND');
    return this.view(order);
  }

  /** `storeCodes`: only these stores' orders (a clerk's or store manager's); null: every store (an admin). */
  async staffOrders(
    status: PayOrderStatus | undefined,
    before: number | undefined,
    storeCodes: string[] | null = null,
  ): Promise<PayOrderListResponse> {
    const orders = await this.dataSource.getRepository(PayOrder).find({
      where: {
        ...(status ? { status } : {}),
        ...(before ? { id: LessThan(before) } : {}),
        ...(storeCodes ? { storeCode: In(storeCodes) } : {}),
      },
      order: { id: 'DESC' },
      take: STAFF_PAGE,
    });
    // One batch of queries for the page, not a view's queries per order.
    const views = await this.viewMany(orders);
    return { orders: views, nextBefore: orders.length === STAFF_PAGE ? orders[orders.length - 1].id : null };
  }

  async memberOrder(memberId: number, outTradeNo: string): Promise<PayOrder> {
    const order = await this.dataSource.getRepository(PayOrder).findOneBy({ outTradeNo });
    // Another member's order is "not found", not "forbidden": order numbers must not be probed.
    if (!order || order.memberId !== memberId) throw new DomainError('PAY_ORDER_NOT_FOUND');
    return order;
  }

  async answer(order: PayOrder): Promise<CreatePayOrderResponse> {
    const payable = order.status === PayOrderStatus.Pending && order.prepayId !== null && this.clock.now() < order.expiresAt;
    return { order: await this.view(order), payment: payable ? this.wechatPay.paymentParams(order.prepayId as string) : null };
  }

  async view(order: PayOrder): Promise<PayOrderView> {
    return (await this.viewMany([order]))[0];
  }

  /**
   * The orders' views from one query per table (refunds, their effects, coupons, templates, purchases), however
   * many orders: the staff list used to run a view's five to seven queries per order.
   */
  async viewMany(orders: PayOrder[]): Promise<PayOrderView[]> {
    if (orders.length === 0) return [];
    // The orders and their refunds are separate statements: a refund settling in between would show as succeeded
    // beside a refunded amount (or status) that does not count it yet. Read the orders again after the refunds and
    // build again, with the newer rows, until none moved (a settlement changes both in one transaction).
    for (let attempt = 0; ; attempt++) {
      const views = await this.buildViews(orders);
      const again = await this.dataSource.getRepository(PayOrder).findBy({ id: In(orders.map((o) => o.id)) });
      const moved = again.filter((row) => {
        const seen = orders.find((o) => o.id === row.id)!;
        return row.refundedFen !== seen.refundedFen || row.status !== seen.status;
      });
      if (moved.length === 0 || attempt >= 3) return views;
      for (const row of moved)
        Object.assign(
          orders.find((o) => o.id === row.id)!,
          row,
        );
    }
  }

  private async buildViews(orders: PayOrder[]): Promise<PayOrderView[]> {
    const refunds = await this.dataSource
      .getRepository(PayRefund)
      .find({ where: { payOrderId: In(orders.map((o) => o.id)) }, order: { id: 'ASC' } });
    const purchaseRefundIds = refunds.map((r) => r.purchaseRefundId).filter((id): id is number => id !== null);
    const effects = new Map(
      (purchaseRefundIds.length ? await this.dataSource.getRepository(PurchaseRefund).findBy({ id: In(purchaseRefundIds) }) : []).map(
        (e) => [e.id, e],
      ),
    );
    const em = this.dataSource.manager;
    const couponIds = orders.map((o) => o.couponId).filter((id): id is number => id !== null);
    const coupons = [...(await couponsRepository.findCoupons(em, couponIds)).values()];
    const templates = await couponsRepository.findTemplates(em, [...new Set(coupons.map((c) => c.templateId))]);
    const couponNames = new Map(coupons.map((c) => [c.id, templates.get(c.templateId)?.name ?? null]));
    const purchases = await this.purchases.getMany(orders.map((o) => o.purchaseId).filter((id): id is number => id !== null));
    return orders.map((order) => ({
      outTradeNo: order.outTradeNo,
      memberId: order.memberId,
      storeCode: order.storeCode,
      status: order.status,
      grossFen: order.grossFen,
      memberDiscountFen: order.memberDiscountFen,
      memberPricePermille: order.memberPricePermille,
      couponId: order.couponId,
      couponName: order.couponId ? (couponNames.get(order.couponId) ?? null) : null,
      couponDiscountFen: order.couponDiscountFen,
      pointsBurned: order.pointsBurned,
      payableFen: order.payableFen,
      refundedFen: order.refundedFen,
      createdAt: order.createdAt.toISOString(),
      expiresAt: order.expiresAt.toISOString(),
      paidAt: order.paidAt?.toISOString() ?? null,
      transactionId: order.transactionId,
      flagReason: order.flagReason,
      purchase: order.purchaseId ? (purchases.get(order.purchaseId) ?? null) : null,
      refunds: refunds
        .filter((refund) => refund.payOrderId === order.id)
        .map((refund): PayRefundView => {
          const effect = refund.purchaseRefundId === null ? undefined : effects.get(refund.purchaseRefundId);
          return {
            outRefundNo: refund.outRefundNo,
            amountFen: refund.amountFen,
            status: refund.status,
            createdAt: refund.createdAt.toISOString(),
            succeededAt: refund.succeededAt?.toISOString() ?? null,
            pointsClawed: effect?.pointsClawed ?? 0,
            pointsRestored: effect?.pointsRestored ?? 0,
            couponRestored: Boolean(effect?.couponRestored),
            flagReason: refund.flagReason,
          };
        }),
    }));
  }
}
