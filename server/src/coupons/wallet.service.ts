import type { AppConfig } from '@member/config';
import type { CouponView, WalletResponse, WalletTab } from '@member/shared';
import { Injectable } from '@nestjs/common';
import { DataSource, In, type SelectQueryBuilder } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { CouponTemplate } from './coupon-template.entity';
import { Coupon } from './coupon.entity';
import { toCouponView } from './coupon.views';
import { heldByUnpaidOrder } from './held-coupons';

/** validUntil is the last valid second: a coupon is still usable while valid_until ≥ now truncated to the second. */
function secondOf(now: Date): Date {
  return new Date(Math.floor(now.getTime() / 1000) * 1000);
}

/** The member's wallet: usable (soonest to expire first), held by an unpaid order, used, expired; and one coupon's detail. */
@Injectable()
export class WalletService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async wallet(memberId: number, tab: WalletTab): Promise<WalletResponse> {
    const now = this.clock.now();
    const query = this.dataSource.getRepository(Coupon).createQueryBuilder('c').where('c.member_id = :memberId', { memberId });
    this.restrictToTab(query, tab, secondOf(now));
    if (tab === 'usable') query.orderBy('c.valid_until', 'ASC');
    else if (tab === 'used' || tab === 'held') query.orderBy('c.redeemed_at', 'DESC');
    else query.orderBy('c.valid_until', 'DESC');
    const coupons = await query.addOrderBy('c.id', 'ASC').take(this.config.coupons.walletPageSize).getMany();
    return { tab, coupons: await this.views(coupons, now, tab === 'held'), counts: await this.counts(memberId) };
  }

  async counts(memberId: number): Promise<Record<WalletTab, number>> {
    const now = secondOf(this.clock.now());
    const row: Record<WalletTab | 'redeemed', string | number | null> | undefined = await this.dataSource
      .getRepository(Coupon)
      .createQueryBuilder('c')
      .select("SUM(CASE WHEN c.status = 'available' AND c.valid_until >= :now THEN 1 ELSE 0 END)", 'usable')
      .addSelect(`SUM(CASE WHEN c.status = 'redeemed' AND ${heldByUnpaidOrder('c')} THEN 1 ELSE 0 END)`, 'held')
      .addSelect("SUM(CASE WHEN c.status = 'redeemed' THEN 1 ELSE 0 END)", 'redeemed')
      .addSelect("SUM(CASE WHEN c.status = 'expired' OR (c.status = 'available' AND c.valid_until < :now) THEN 1 ELSE 0 END)", 'expired')
      .where('c.member_id = :memberId', { memberId, now })
      .getRawOne();
    const held = Number(row?.held ?? 0);
    return { usable: Number(row?.usable ?? 0), held, used: Number(row?.redeemed ?? 0) - held, expired: Number(row?.expired ?? 0) };
  }

  async usableCount(memberId: number): Promise<number> {
    return (await this.counts(memberId)).usable;
  }

  /** Another member's coupon answers "not found", so ids reveal nothing. */
  async detail(memberId: number, couponId: number): Promise<CouponView> {
    const coupon = await this.dataSource.getRepository(Coupon).findOneBy({ id: couponId, memberId });
    if (!coupon) throw new DomainError('COUPON_NOT_FOUND');
    const held =
      coupon.status === 'redeemed' &&
      (await this.dataSource
        .getRepository(Coupon)
        .createQueryBuilder('c')
        .where(`c.id = :couponId AND ${heldByUnpaidOrder('c')}`, { couponId })
        .getCount()) > 0;
    return (await this.views([coupon], this.clock.now(), held))[0];
  }

  private restrictToTab(query: SelectQueryBuilder<Coupon>, tab: WalletTab, now: Date): void {
    if (tab === 'usable') query.andWhere("c.status = 'available' AND c.valid_until >= :now", { now });
    else if (tab === 'held') query.andWhere(`c.status = 'redeemed' AND ${heldByUnpaidOrder('c')}`);
    else if (tab === 'used') query.andWhere(`c.status = 'redeemed' AND NOT ${heldByUnpaidOrder('c')}`);
    else query.andWhere("(c.status = 'expired' OR (c.status = 'available' AND c.valid_until < :now))", { now });
  }

  private async views(coupons: Coupon[], now: Date, held = false): Promise<CouponView[]> {
    const ids = [...new Set(coupons.map((c) => c.templateId))];
    const templates = ids.length ? await this.dataSource.getRepository(CouponTemplate).findBy({ id: In(ids) }) : [];
    const byId = new Map(templates.map((t) => [t.id, t]));
    return coupons.map((c) => toCouponView(c, byId.get(c.templateId)!, now, this.config.businessCalendar.timeZone, held));
  }
}
