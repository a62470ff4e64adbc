import type { AppConfig } from '@member/config';
import {
  GoodwillKind,
  pointsAdjustmentWithinLimit,
  type AdminMemberLookup,
  type PointsAdjustmentRequest,
  type PointsAdjustmentView,
} from '@member/shared';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { StaffAccount } from '../auth/staff.service';
import { InjectConfig } from '../common/app-config';
import { RuntimeSettings } from '../settings/runtime-settings.service';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { isUniqueViolation, TransactionRunner } from '../database/transaction-runner';
import { membersRepository } from '../members/members.repository';
import { MembersService } from '../members/members.service';
import { PointsLedger } from '../points/points-ledger';
import { GoodwillGrant } from './feedback.entities';
import { assertNotOwnAccount, goodwillSourceKey } from './goodwill.service';

/**
 * HQ admins adjust a member's points by hand: a reason, at most feedback.pointsAdjustmentMaxPoints either way,
 * never below a zero balance (the ledger refuses: POINTS_INSUFFICIENT), once per (admin, idempotency key):
 * the grant row's unique key makes a retry (even two at once) answer the adjustment it made.
 */
@Injectable()
export class PointsAdjustmentsService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    private readonly ledger: PointsLedger,
    private readonly members: MembersService,
    private readonly settings: RuntimeSettings,
  ) {}

  async adjust(staff: StaffAccount, request: PointsAdjustmentRequest): Promise<PointsAdjustmentView> {
    if (!pointsAdjustmentWithinLimit(request.points, await this.settings.get('feedback.pointsAdjustmentMaxPoints')))
      throw new DomainError('POINTS_ADJUST_OVER_LIMIT');
    const replay = await this.replay(staff, request);
    if (replay) return replay;
    const now = this.clock.now();
    try {
      return await this.transactions.run(async (em) => {
        await assertNotOwnAccount(em, staff, request.memberId);
        const inserted = await em.insert(GoodwillGrant, {
          caseId: null,
          memberId: request.memberId,
          kind: GoodwillKind.Adjustment,
          points: request.points,
          couponId: null,
          templateId: null,
          faceFen: 0,
          reason: request.reason,
          staffId: staff.id,
          staffRole: staff.role,
          idempotencyKey: request.idempotencyKey,
          createdAt: now,
        });
        const id = Number(inserted.identifiers[0].id);
        const movement = {
          memberId: request.memberId,
          reason: 'adjust' as const,
          sourceKey: goodwillSourceKey({ id, kind: GoodwillKind.Adjustment }),
          now,
        };
        const line =
          request.points > 0
            ? await this.ledger.credit(em, { ...movement, points: request.points, expiresAt: this.ledger.expiryFor(now) })
            : (await this.ledger.debit(em, { ...movement, points: -request.points })).line;
        return {
          id,
          memberId: request.memberId,
          points: request.points,
          balanceAfter: line!.balanceAfter,
          reason: request.reason,
          at: now.toISOString(),
        };
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const made = await this.replay(staff, request);
      if (!made) throw error;
      return made;
    }
  }

  /** The adjustment this request already made; the same key for another adjustment is IDEMPOTENCY_KEY_REUSED. */
  private async replay(staff: StaffAccount, request: PointsAdjustmentRequest): Promise<PointsAdjustmentView | null> {
    const grant = await this.dataSource
      .getRepository(GoodwillGrant)
      .findOneBy({ staffId: staff.id, idempotencyKey: request.idempotencyKey });
    if (!grant) return null;
    if (grant.kind !== GoodwillKind.Adjustment || grant.memberId !== request.memberId || grant.points !== request.points)
      throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    const [line]: Array<{ balanceAfter: number | string }> = await this.dataSource.query(
      'SELECT balance_after AS balanceAfter FROM points_ledger WHERE source_key = ?',
      [goodwillSourceKey(grant)],
    );
    return {
      id: grant.id,
      memberId: grant.memberId,
      points: grant.points,
      balanceAfter: Number(line?.balanceAfter ?? 0),
      reason: grant.reason,
      at: grant.createdAt.toISOString(),
    };
  }

  /** An admin finds a member by id or by mobile number (looked up by its keyed hash, shown masked). */
  async lookup(query: { id?: number; phone?: string }): Promise<AdminMemberLookup> {
    const id = query.id ?? (await this.members.idByPhone(query.phone!));
    const member = id ? await membersRepository.find(this.dataSource.manager, id) : null;
    if (!member || !member.joinedAt) throw new DomainError('MEMBER_NOT_FOUND');
    return {
      id: member.id,
      nickname: member.nickname,
      phoneMasked: member.phoneMasked,
      pointsBalance: member.pointsBalance,
      tier: member.tier,
    };
  }
}
