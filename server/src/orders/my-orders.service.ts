import type { AppConfig } from '@member/config';
import {
  PayOrderStatus,
  PayRefundStatus,
  type MemberOrderListResponse,
  type MemberOrderRefund,
  type MemberOrderView,
} from '@member/shared';
import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, In, Not, type SelectQueryBuilder } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { DomainError } from '../common/domain-error';
import { couponsRepository } from '../coupons/coupons.repository';
import { PayOrder, PayRefund } from './pay/pay-order.entity';
import { Purchase, PurchaseRefund, WECHAT_PAY_CHANNEL } from './sale.entities';

/**
 * Where the member's list continues: the last order's time, kind and id. Orders sort by time (newest first),
 * an app order before a till purchase of the same second, then by id: a total order, so a page never repeats
 * or skips an order whatever is added meanwhile.
 */
interface Cursor {
  at: Date;
  kind: 'A' | 'S';
  id: number;
}

export function encodeOrderCursor(cursor: Cursor): string {
  return `${cursor.at.getTime()}.${cursor.kind}.${cursor.id}`;
}

export function decodeOrderCursor(text: string): Cursor {
  const match = /^(\d{1,15})\.([AS])\.(\d{1,10})$/.exec(text);
  if (!match) throw new DomainError('VALIDATION_FAILED');
  return { at: new Date(Number(match[1])), kind: match[2] as 'A' | 'S', id: Number(match[3]) };
}

type Row = { kind: 'A'; order: PayOrder } | { kind: 'S'; purchase: Purchase };
const atOf = (row: Row) => (row.kind === 'A' ? row.order.createdAt : row.purchase.purchasedAt);
const idOf = (row: Row) => (row.kind === 'A' ? row.order.id : row.purchase.id);

/**
 * 我的订单: the member's app orders (WeChat Pay, every status) and the purchases clerks recorded at the till,
 * with their refunds, newest first, keyset-paged across both tables. An app order once paid is also a purchase
 * (its settlement); it is listed once, as the app order.
 */
@Injectable()
export class MyOrdersService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
  ) {}

  async list(memberId: number, cursorText?: string): Promise<MemberOrderListResponse> {
    const cursor = cursorText ? decodeOrderCursor(cursorText) : null;
    const size = this.config.payment.myOrdersPageSize;
    const orders = this.dataSource.getRepository(PayOrder).createQueryBuilder('o').where('o.member_id = :memberId', { memberId });
    const purchases = this.dataSource
      .getRepository(Purchase)
      .createQueryBuilder('p')
      .where('p.member_id = :memberId AND p.staff_openid <> :app', { memberId, app: WECHAT_PAY_CHANNEL });
    if (cursor) {
      after(orders, 'o.created_at', 'o.id', cursor, cursor.kind === 'A');
      after(purchases, 'p.purchased_at', 'p.id', cursor, true, cursor.kind === 'A');
    }
    const [appRows, tillRows] = await Promise.all([
      orders
        .orderBy('o.created_at', 'DESC')
        .addOrderBy('o.id', 'DESC')
        .take(size + 1)
        .getMany(),
      purchases
        .orderBy('p.purchased_at', 'DESC')
        .addOrderBy('p.id', 'DESC')
        .take(size + 1)
        .getMany(),
    ]);
    const rows: Row[] = [
      ...appRows.map((order): Row => ({ kind: 'A', order })),
      ...tillRows.map((purchase): Row => ({ kind: 'S', purchase })),
    ];
    rows.sort((a, b) => atOf(b).getTime() - atOf(a).getTime() || (a.kind === b.kind ? idOf(b) - idOf(a) : a.kind === 'A' ? -1 : 1));
    const page = rows.slice(0, size);
    const last = page[page.length - 1];
    return {
      orders: await this.views(page),
      nextCursor: rows.length > size && last ? encodeOrderCursor({ at: atOf(last), kind: last.kind, id: idOf(last) }) : null,
    };
  }

  /** One order by its ref ("A<out_trade_no>" or "S<purchase id>"); another member's is not found. */
  async detail(memberId: number, ref: string): Promise<MemberOrderView> {
    let row: Row | null = null;
    if (ref.startsWith('A')) {
      const order = await this.dataSource.getRepository(PayOrder).findOneBy({ outTradeNo: ref.slice(1), memberId });
      if (order) row = { kind: 'A', order };
    } else if (/^S\d{1,10}$/.test(ref)) {
      const purchase = await this.dataSource
        .getRepository(Purchase)
        .findOneBy({ id: Number(ref.slice(1)), memberId, staffOpenid: Not(WECHAT_PAY_CHANNEL) });
      if (purchase) row = { kind: 'S', purchase };
    }
    if (!row) throw new DomainError('PAY_ORDER_NOT_FOUND');
    return (await this.views([row]))[0];
  }

  /** The rows' views from one query per table (refunds, purchases of paid app orders, coupons, templates). */
  private async views(rows: Row[]): Promise<MemberOrderView[]> {
    const em = this.dataSource.manager;
    const app = rows.flatMap((r) => (r.kind === 'A' ? [r.order] : []));
    const till = rows.flatMap((r) => (r.kind === 'S' ? [r.purchase] : []));
    const appRefunds = app.length
      ? await em.find(PayRefund, {
          where: { payOrderId: In(app.map((o) => o.id)), status: In([PayRefundStatus.Processing, PayRefundStatus.Succeeded]) },
          order: { id: 'ASC' },
        })
      : [];
    const tillRefunds = till.length
      ? await em.find(PurchaseRefund, { where: { purchaseId: In(till.map((p) => p.id)) }, order: { id: 'ASC' } })
      : [];
    const settled = app.map((o) => o.purchaseId).filter((id): id is number => id !== null);
    const appPurchases = new Map((settled.length ? await em.findBy(Purchase, { id: In(settled) }) : []).map((p) => [p.id, p]));
    const couponIds = [...app, ...till].map((s) => s.couponId).filter((id): id is number => id !== null);
    const coupons = await couponsRepository.findCoupons(em, couponIds);
    const templates = await couponsRepository.findTemplates(em, [...new Set([...coupons.values()].map((c) => c.templateId))]);
    const couponName = (id: number | null) => {
      const coupon = id === null ? undefined : coupons.get(id);
      return coupon ? (templates.get(coupon.templateId)?.name ?? null) : null;
    };
    const storeName = (code: string) => this.config.stores.find((s) => s.code === code)?.name ?? code;

    return rows.map((row): MemberOrderView => {
      if (row.kind === 'A') {
        const { order } = row;
        const refunds = appRefunds
          .filter((r) => r.payOrderId === order.id)
          .map((r): MemberOrderRefund => ({
            amountFen: r.amountFen,
            status: r.status === PayRefundStatus.Succeeded ? 'succeeded' : 'processing',
            at: (r.succeededAt ?? r.createdAt).toISOString(),
          }));
        return {
          ref: `A${order.outTradeNo}`,
          kind: 'app',
          storeCode: order.storeCode,
          storeName: storeName(order.storeCode),
          grossFen: order.grossFen,
          memberDiscountFen: order.memberDiscountFen,
          memberPricePermille: order.memberPricePermille,
          couponId: order.couponId,
          couponName: couponName(order.couponId),
          couponDiscountFen: order.couponDiscountFen,
          pointsBurned: order.pointsBurned,
          paidFen: order.payableFen,
          refundedFen: order.refundedFen,
          pointsEarned: order.purchaseId ? (appPurchases.get(order.purchaseId)?.pointsEarned ?? 0) : 0,
          status: order.status,
          outTradeNo: order.outTradeNo,
          at: order.createdAt.toISOString(),
          paidAt: order.paidAt?.toISOString() ?? null,
          expiresAt: order.status === PayOrderStatus.Pending ? order.expiresAt.toISOString() : null,
          refunds,
        };
      }
      const { purchase } = row;
      return {
        ref: `S${purchase.id}`,
        kind: 'in-store',
        storeCode: purchase.storeCode,
        storeName: storeName(purchase.storeCode),
        grossFen: purchase.grossFen,
        memberDiscountFen: purchase.memberDiscountFen,
        memberPricePermille: purchase.memberPricePermille,
        couponId: purchase.couponId,
        couponName: couponName(purchase.couponId),
        couponDiscountFen: purchase.couponDiscountFen,
        pointsBurned: purchase.pointsBurned,
        paidFen: purchase.paidFen,
        refundedFen: purchase.refundedFen,
        pointsEarned: purchase.pointsEarned,
        status: PayOrderStatus.Paid,
        outTradeNo: null,
        at: purchase.purchasedAt.toISOString(),
        paidAt: purchase.purchasedAt.toISOString(),
        expiresAt: null,
        refunds: tillRefunds
          .filter((r) => r.purchaseId === purchase.id)
          .map((r): MemberOrderRefund => ({ amountFen: r.amountFen, status: 'succeeded', at: r.refundedAt.toISOString() })),
      };
    });
  }
}

/**
 * Rows after the cursor in (time desc, id desc) order. `sameSecondAll`: every row at the cursor's own time
 * comes after it (a till purchase after an app order of the same time); else only those with a smaller id.
 */
function after<T extends object>(
  query: SelectQueryBuilder<T>,
  atColumn: string,
  idColumn: string,
  cursor: Cursor,
  sameKind: boolean,
  sameSecondAll = false,
): void {
  query.andWhere(
    new Brackets((q) => {
      q.where(`${atColumn} < :cursorAt`, { cursorAt: cursor.at });
      if (sameSecondAll) q.orWhere(`${atColumn} = :cursorAt`);
      else if (sameKind) q.orWhere(`(${atColumn} = :cursorAt AND ${idColumn} < :cursorId)`, { cursorId: cursor.id });
    }),
  );
}
