import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { forUpdate } from '../database/sql';
import { isUniqueViolation } from '../database/transaction-runner';
import { PointsLedgerLine, PointsLot, type PointsReason } from './points.entities';

export interface Movement {
  memberId: number;
  reason: PointsReason;
  /** Unique per effect: a second attempt at the same effect is refused by the database. */
  sourceKey: string;
  purchaseId?: number | null;
  now: Date;
}

/**
 * The only code that moves points, always inside the caller's transaction. Each movement first locks the
 * member's row (an UPDATE that matches it takes the row lock on MySQL; sql.js transactions run one at a time),
 * so the balance it reads cannot change under it: two concurrent spends are serialized per member and the
 * second sees what the first left. Then it writes one ledger line and moves lots: credits add a lot, debits
 * take from lots oldest expiry first (or from named lots first).
 */
@Injectable()
export class PointsLedger {
  /** Locks the member row for the rest of the transaction and answers the balance. */
  async lockBalance(em: EntityManager, memberId: number): Promise<number> {
    // A locking read: on MySQL it waits for, then sees, what concurrent movements committed, whatever snapshot
    // this transaction already holds. Plain SQL, because TypeORM's update builder would bump the member's
    // version (which guards profile edits) if we locked with an UPDATE instead.
    const rows: Array<{ balance: number | string }> = await em.query(`SELECT points_balance AS balance FROM member WHERE id = ?${forUpdate(em)}`, [memberId]);
    if (rows.length === 0) throw new DomainError('MEMBER_NOT_FOUND');
    return Number(rows[0].balance);
  }

  async credit(em: EntityManager, movement: Movement & { points: number; expiresAt: Date }): Promise<PointsLedgerLine | null> {
    if (movement.points <= 0) return null;
    const balance = await this.lockBalance(em, movement.memberId);
    const line = await this.appendLine(em, movement, movement.points, balance + movement.points, movement.expiresAt);
    await em.insert(PointsLot, { memberId: movement.memberId, ledgerId: line.id, points: movement.points, remaining: movement.points, expiresAt: movement.expiresAt });
    await this.setBalance(em, movement.memberId, balance + movement.points);
    return line;
  }

  /**
   * Takes `points` (all of them, else POINTS_INSUFFICIENT; or with `upToBalance`, as many as there are) from the
   * member's lots: `firstFromLedgerId`'s lot first (a clawback takes the purchase's own points first), then the
   * soonest to expire. Answers the points taken and the line written.
   */
  async debit(em: EntityManager, movement: Movement & { points: number; upToBalance?: boolean; firstFromLedgerId?: number }): Promise<{ taken: number; line: PointsLedgerLine | null }> {
    if (movement.points <= 0) return { taken: 0, line: null };
    const balance = await this.lockBalance(em, movement.memberId);
    if (balance < movement.points && !movement.upToBalance) throw new DomainError('POINTS_INSUFFICIENT');
    const wanted = Math.min(movement.points, balance);
    if (wanted === 0) return { taken: 0, line: null };

    const lots = await em
      .createQueryBuilder(PointsLot, 'l')
      .where('l.member_id = :memberId AND l.remaining > 0', { memberId: movement.memberId })
      .orderBy('l.expires_at', 'ASC')
      .addOrderBy('l.id', 'ASC')
      .getMany();
    if (movement.firstFromLedgerId !== undefined) lots.sort((a, b) => Number(b.ledgerId === movement.firstFromLedgerId) - Number(a.ledgerId === movement.firstFromLedgerId));
    let left = wanted;
    let earliestExpiry: Date | null = null;
    for (const lot of lots) {
      if (left === 0) break;
      const take = Math.min(lot.remaining, left);
      await em.update(PointsLot, { id: lot.id }, { remaining: lot.remaining - take });
      left -= take;
      if (!earliestExpiry || lot.expiresAt < earliestExpiry) earliestExpiry = lot.expiresAt;
    }
    // Lots and balance are written together; they can only disagree through a bug, which must not pass silently.
    if (left !== 0) throw new Error(`points lots of member ${movement.memberId} hold ${wanted - left}, balance says ${balance}`);
    const line = await this.appendLine(em, movement, -wanted, balance - wanted, earliestExpiry);
    await this.setBalance(em, movement.memberId, balance - wanted);
    return { taken: wanted, line };
  }

  /** Takes what is left of one lot (its expiry), once: a lot already emptied or expired by another run changes nothing. */
  async expireLot(em: EntityManager, lotId: number, now: Date): Promise<number> {
    const lot = await em.findOneBy(PointsLot, { id: lotId });
    if (!lot || lot.remaining <= 0) return 0;
    const balance = await this.lockBalance(em, lot.memberId);
    const [fresh]: Array<{ remaining: number | string; expiresAt: Date | string }> = await em.query(`SELECT remaining, expires_at AS expiresAt FROM points_lot WHERE id = ?${forUpdate(em)}`, [lotId]);
    const remaining = Number(fresh.remaining);
    if (remaining <= 0) return 0;
    await em.update(PointsLot, { id: lotId }, { remaining: 0 });
    await this.appendLine(em, { memberId: lot.memberId, reason: 'expire', sourceKey: `expire:lot:${lotId}`, now }, -remaining, balance - remaining, lot.expiresAt);
    await this.setBalance(em, lot.memberId, balance - remaining);
    return remaining;
  }

  private async appendLine(em: EntityManager, movement: Movement, delta: number, balanceAfter: number, expiresAt: Date | null): Promise<PointsLedgerLine> {
    const line = em.create(PointsLedgerLine, {
      memberId: movement.memberId,
      delta,
      balanceAfter,
      reason: movement.reason,
      sourceKey: movement.sourceKey,
      purchaseId: movement.purchaseId ?? null,
      expiresAt,
      createdAt: movement.now,
    });
    try {
      await em.insert(PointsLedgerLine, line);
    } catch (error) {
      if (isUniqueViolation(error)) throw new PointsEffectAlreadyApplied(movement.sourceKey);
      throw error;
    }
    return line;
  }

  private async setBalance(em: EntityManager, memberId: number, balance: number): Promise<void> {
    await em.query('UPDATE member SET points_balance = ? WHERE id = ?', [balance, memberId]);
  }
}

/** The effect behind this source key was already written: the caller's transaction must roll back and replay. */
export class PointsEffectAlreadyApplied extends Error {
  constructor(readonly sourceKey: string) {
    super(`points effect ${sourceKey} already applied`);
    this.name = 'PointsEffectAlreadyApplied';
  }
}
