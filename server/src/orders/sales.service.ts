import type { AppConfig } from '@member/config';
import type { SaleListItem, SalesPage, SalesSummary } from '@member/shared';
import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { Clock, businessDate } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { couponsRepository } from '../coupons/coupons.repository';
import { sqlDate, sqlDateValue } from '../database/sql';
import { membersRepository } from '../members/members.repository';
import { maskNickname } from '../segments/audience.service';
import { channelOf } from './sale.entities';

/** Which sales a request may read: the stores (null: every store, HQ) and, optionally, one member or one receipt. */
export interface SalesScope {
  stores: string[] | null;
  memberId?: number;
  purchaseId?: number;
}

interface SaleRow {
  id: number | string;
  staff_openid: string;
  store_code: string;
  member_id: number | string;
  gross_fen: number | string;
  member_discount_fen: number | string;
  member_price_permille: number | string;
  coupon_discount_fen: number | string;
  points_burned: number | string;
  paid_fen: number | string;
  refunded_fen: number | string;
  points_earned: number | string;
  purchased_at: Date | string;
}

/**
 * The till's sales history and day summary, read-only over the sales (`purchase`, till and app alike), the
 * coupon redemptions and the members. A day is a business day (config businessCalendar.timeZone); the list is
 * newest first and paged by id (ids grow with time), so a page never repeats or skips a sale recorded meanwhile.
 */
@Injectable()
export class SalesService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** The business day asked for, or today; its [from, until) as instants. */
  day(date: string | undefined): { date: string; from: Date; until: Date } {
    const zone = this.config.businessCalendar.timeZone;
    const day = date ?? businessDate(this.clock.now(), zone);
    const start = DateTime.fromISO(day, { zone }).startOf('day');
    if (!start.isValid) throw new DomainError('VALIDATION_FAILED');
    return { date: day, from: start.toJSDate(), until: start.plus({ days: 1 }).startOf('day').toJSDate() };
  }

  async list(scope: SalesScope, query: { date?: string; before?: number; limit: number }): Promise<SalesPage> {
    const em = this.dataSource.manager;
    const { date, from, until } = this.day(query.date);
    if (scope.stores?.length === 0) return { date, sales: [], nextBefore: null };
    const where: string[] = [];
    const params: unknown[] = [];
    if (scope.stores) {
      where.push(`p.store_code IN (${scope.stores.map(() => '?').join(', ')})`);
      params.push(...scope.stores);
    }
    // A receipt is found whatever its day; otherwise the day's sales.
    if (scope.purchaseId !== undefined) {
      where.push('p.id = ?');
      params.push(scope.purchaseId);
    } else {
      where.push('p.purchased_at >= ? AND p.purchased_at < ?');
      params.push(sqlDate(em, from), sqlDate(em, until));
    }
    if (scope.memberId !== undefined) {
      where.push('p.member_id = ?');
      params.push(scope.memberId);
    }
    if (query.before !== undefined) {
      where.push('p.id < ?');
      params.push(query.before);
    }
    const rows: SaleRow[] = await em.query(
      `SELECT p.id, p.staff_openid, p.store_code, p.member_id, p.gross_fen, p.coupon_discount_fen, p.points_burned, p.paid_fen,
              p.refunded_fen, p.points_earned, p.purchased_at, p.member_discount_fen, p.member_price_permille
         FROM purchase p
        WHERE ${where.join(' AND ')}
        ORDER BY p.id DESC
        LIMIT ${query.limit + 1}`,
      params,
    );
    const page = rows.slice(0, query.limit);
    const members = await membersRepository.findMany(em, [...new Set(page.map((row) => Number(row.member_id)))]);
    const sales = page.map((row) => toItem(row, members.get(Number(row.member_id))?.nickname ?? null));
    return { date, sales, nextBefore: rows.length > query.limit ? sales[sales.length - 1].id : null };
  }

  /** One day at `storeCode` (null: every store the scope allows; for HQ, every store). */
  async summary(stores: string[] | null, storeCode: string | null, date: string | undefined): Promise<SalesSummary> {
    const em = this.dataSource.manager;
    const day = this.day(date);
    const scope = storeCode !== null ? [storeCode] : stores;
    const empty = { date: day.date, storeCode, salesCount: 0, salesFen: 0, refundedFen: 0, redemptions: 0, newMembers: 0 };
    if (scope?.length === 0) return empty;
    const inStores = (column: string) => (scope ? ` AND ${column} IN (${scope.map(() => '?').join(', ')})` : '');
    const range = [sqlDate(em, day.from), sqlDate(em, day.until)];
    const [sales] = await em.query(
      `SELECT COUNT(*) AS n, COALESCE(SUM(paid_fen), 0) AS paid, COALESCE(SUM(refunded_fen), 0) AS refunded
         FROM purchase p WHERE p.purchased_at >= ? AND p.purchased_at < ?${inStores('p.store_code')}`,
      [...range, ...(scope ?? [])],
    );
    const redemptions = await couponsRepository.countRedemptionsBetween(em, scope, day.from, day.until);
    return {
      ...empty,
      salesCount: Number(sales.n),
      salesFen: Number(sales.paid),
      refundedFen: Number(sales.refunded),
      redemptions,
      newMembers: scope
        ? await this.newCustomers(scope, day.from, day.until)
        : await membersRepository.countJoinedBetween(em, day.from, day.until),
    };
  }

  /** A store's new members: joined that day and bought there that day (a day's buyers are a few hundred at most). */
  private async newCustomers(stores: string[], from: Date, until: Date): Promise<number> {
    const em = this.dataSource.manager;
    const buyers: Array<{ member_id: number | string }> = await em.query(
      `SELECT DISTINCT member_id FROM purchase
        WHERE purchased_at >= ? AND purchased_at < ? AND store_code IN (${stores.map(() => '?').join(', ')})`,
      [sqlDate(em, from), sqlDate(em, until), ...stores],
    );
    const members = await membersRepository.findMany(
      em,
      buyers.map((row) => Number(row.member_id)),
    );
    return [...members.values()].filter((m) => m.joinedAt !== null && m.joinedAt >= from && m.joinedAt < until).length;
  }
}

function toItem(row: SaleRow, nickname: string | null): SaleListItem {
  const id = Number(row.id);
  return {
    id,
    receiptNo: receiptNo(id),
    channel: channelOf(row.staff_openid),
    storeCode: row.store_code,
    memberId: Number(row.member_id),
    memberNameMasked: nickname === null || nickname.trim() === '' ? null : maskNickname(nickname),
    grossFen: Number(row.gross_fen),
    memberDiscountFen: Number(row.member_discount_fen),
    memberPricePermille: Number(row.member_price_permille),
    couponDiscountFen: Number(row.coupon_discount_fen),
    pointsBurned: Number(row.points_burned),
    paidFen: Number(row.paid_fen),
    refundedFen: Number(row.refunded_fen),
    pointsEarned: Number(row.points_earned),
    purchasedAt: sqlDateValue(row.purchased_at).toISOString(),
  };
}

/** The sale's id, as printed on the receipt: at least 6 digits so it reads as a number, not a count. */
export function receiptNo(purchaseId: number): string {
  return String(purchaseId).padStart(6, '0');
}
