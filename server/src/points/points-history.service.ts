import type { AppConfig } from '@member/config';
import type { PointsHistoryLine, PointsResponse } from '@member/shared';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { sqlDate, sqlDateValue } from '../database/dialect';
import { membersRepository } from '../members/members.repository';
import { ordersRepository } from '../orders/orders.repository';
import { PointsLedgerLine, type PointsReason } from './points.entities';

const TITLES: Record<PointsReason, string> = {
  earn: '消费积分',
  burn: '积分抵现',
  // Two words a shopper cannot mix up: points taken back (扣回) against points given back (退还).
  clawback: '退款扣回',
  restore: '退还积分',
  expire: '积分过期',
  exchange: '积分兑换优惠券',
  campaign: '活动赠送积分',
  reward: '消费奖励积分',
  goodwill: '服务补偿积分',
  adjust: '积分调整',
  import: '原会员积分转入',
};

/** The member's points page: balance, what expires when, and the ledger newest first, a page at a time. */
@Injectable()
export class PointsHistoryService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async history(memberId: number, before: number | null): Promise<PointsResponse> {
    const member = await membersRepository.find(this.dataSource.manager, memberId);
    if (!member?.joinedAt) throw new DomainError('MEMBER_NOT_JOINED');
    const pageSize = this.config.points.historyPageSize;
    const query = this.dataSource.getRepository(PointsLedgerLine).createQueryBuilder('l').where('l.member_id = :memberId', { memberId });
    if (before !== null) query.andWhere('l.id < :before', { before });
    const lines = await query
      .orderBy('l.id', 'DESC')
      .take(pageSize + 1)
      .getMany();
    const page = lines.slice(0, pageSize);

    const purchaseIds = page.map((l) => l.purchaseId).filter((id): id is number => id !== null);
    const stores = new Map<number, string>();
    for (const p of (await ordersRepository.findPurchases(this.dataSource.manager, purchaseIds)).values())
      stores.set(p.id, p.bonusPermille > 1000 ? `${p.storeCode} · 多倍积分` : p.storeCode);
    const expiring: Array<{ points: number | string; expiresAt: Date | string }> = await this.dataSource.query(
      'SELECT SUM(remaining) AS points, expires_at AS expiresAt FROM points_lot' +
        ' WHERE member_id = ? AND remaining > 0 AND expires_at >= ? GROUP BY expires_at ORDER BY expires_at LIMIT 3',
      [memberId, sqlDate(this.dataSource.manager, this.clock.now())],
    );
    return {
      balance: member.pointsBalance,
      expiring: expiring.map((e) => ({ points: Number(e.points), expiresAt: sqlDateValue(e.expiresAt).toISOString() })),
      lines: page.map((line): PointsHistoryLine => ({
        id: line.id,
        reason: line.reason,
        title:
          line.purchaseId !== null && stores.has(line.purchaseId)
            ? `${TITLES[line.reason]} · 门店 ${stores.get(line.purchaseId)}`
            : titleOf(line),
        delta: line.delta,
        balanceAfter: line.balanceAfter,
        at: line.createdAt.toISOString(),
        expiresAt: line.delta > 0 && line.expiresAt ? line.expiresAt.toISOString() : null,
      })),
      nextBefore: lines.length > pageSize ? page[page.length - 1].id : null,
    };
  }
}

/** Points an unpaid app order held and gave back are not a refund. */
function titleOf(line: PointsLedgerLine): string {
  if (line.reason === 'restore' && line.sourceKey.startsWith('payorder:')) return '订单未支付，积分退回';
  if (line.reason === 'burn' && line.sourceKey.startsWith('payorder:')) return '微信支付积分抵现';
  return TITLES[line.reason];
}
