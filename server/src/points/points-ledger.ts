import type { AppConfig } from '@member/config';
import { pointsExpiryFor } from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { DomainError } from '../common/domain-error';
import { execute, forUpdate, rowsPerStatement, sqlDate, sqlDateValue } from '../database/dialect';
import { isUniqueViolation } from '../database/transaction-runner';
import { DomainEvents } from '../events/domain-event-bus';
import { PointsChanged } from '../events/domain-events';
import { membersRepository } from '../members/members.repository';
import { PointsDraw, PointsLedgerLine, PointsLot, PointsReason } from './points.entities';

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
 * member's row (a locking read on MySQL; sql.js transactions run one at a time), so the balance it reads cannot
 * change under it: two concurrent spends are serialized per member and the second sees what the first left.
 * Then it writes one ledger line and moves lots: credits add a lot, debits take from lots oldest expiry first
 * (or from named lots first).
 *
 * Lots are read with a locking read too, and changed only by conditional UPDATEs (`remaining - n` where
 * `remaining >= n`): a plain read inside a MySQL transaction answers from the transaction's snapshot, which can
 * predate a movement that committed while we waited for the member's lock (a refund settlement reads the order
 * before it locks anything), and writing `remaining = <what we read> - n` then undid that movement. The balance
 * changes by a delta that may not take it below 0, checked by affected rows.
 */
@Injectable()
export class PointsLedger {
  private readonly logger = new Logger(PointsLedger.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly events: DomainEvents,
  ) {}

  /** When points credited at `earnedAt` expire: the end of the year `expiryYearsAfter` after, on the business calendar. */
  expiryFor(earnedAt: Date): Date {
    const offset = DateTime.fromJSDate(earnedAt, { zone: this.config.businessCalendar.timeZone }).offset;
    return pointsExpiryFor(earnedAt, offset, this.config.points.expiryYearsAfter);
  }

  /** Locks the member row for the rest of the transaction and answers the balance. */
  async lockBalance(em: EntityManager, memberId: number): Promise<number> {
    // A locking read (members owns the row): on MySQL it waits for, then sees, what concurrent movements
    // committed, whatever snapshot this transaction already holds.
    const balance = await membersRepository.lockPointsBalance(em, memberId);
    if (balance === null) throw new DomainError('MEMBER_NOT_FOUND');
    return balance;
  }

  async credit(em: EntityManager, movement: Movement & { points: number; expiresAt: Date }): Promise<PointsLedgerLine | null> {
    if (movement.points <= 0) return null;
    const balance = await this.lockBalance(em, movement.memberId);
    return this.addLots(em, movement, balance, [{ points: movement.points, expiresAt: movement.expiresAt }]);
  }

  /**
   * A credit's writes once the member's row is locked (`balance` read under it): one ledger line (its expiry the
   * soonest of the parts, which come soonest first), one lot per part, the balance moved by their sum.
   */
  private async addLots(
    em: EntityManager,
    movement: Movement,
    balance: number,
    parts: ReadonlyArray<{ points: number; expiresAt: Date }>,
  ): Promise<PointsLedgerLine> {
    const points = parts.reduce((sum, part) => sum + part.points, 0);
    const line = await this.appendLine(em, movement, points, balance + points, parts[0].expiresAt);
    await em.insert(
      PointsLot,
      parts.map((part) => ({
        memberId: movement.memberId,
        ledgerId: line.id,
        points: part.points,
        remaining: part.points,
        expiresAt: part.expiresAt,
      })),
    );
    await this.moveBalance(em, movement.memberId, points);
    return line;
  }

  /**
   * The opening balances of members an import has just inserted (issue 18), in the import's transaction: for
   * each, one ledger line (reason `import`, its source key unique, so a replayed chunk cannot credit twice) and
   * one lot with the file's expiry, and the balance moved by the same amount, as `credit` does one member at a
   * time. Multi-row statements: a chunk of 1,000 members costs a handful of statements, not 4,000. The members
   * are new (balance 0, nobody else can know them yet), so no member lock is needed.
   */
  async openImportedBalances(
    em: EntityManager,
    entries: ReadonlyArray<{ memberId: number; points: number; expiresAt: Date; sourceKey: string }>,
    now: Date,
  ): Promise<void> {
    const credits = entries.filter((entry) => entry.points > 0);
    if (credits.length === 0) return;
    const lineColumns = ['member_id', 'delta', 'balance_after', 'reason', 'source_key', 'expires_at', 'created_at'];
    const perStatement = rowsPerStatement(em, { mysql: 2000, sqlite: 100 }, lineColumns.length);
    const at = sqlDate(em, now);
    const ledgerIds = new Map<string, number>();
    for (let i = 0; i < credits.length; i += perStatement) {
      const batch = credits.slice(i, i + perStatement);
      try {
        await em.query(
          `INSERT INTO points_ledger (${lineColumns.join(', ')}) VALUES ${batch.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
          batch.flatMap((c) => [c.memberId, c.points, c.points, PointsReason.Import, c.sourceKey, sqlDate(em, c.expiresAt), at]),
        );
      } catch (error) {
        if (isUniqueViolation(error)) throw new PointsEffectAlreadyApplied(batch[0].sourceKey);
        throw error;
      }
      const rows: Array<{ id: number | string; sourceKey: string }> = await em.query(
        `SELECT id, source_key AS sourceKey FROM points_ledger WHERE source_key IN (${batch.map(() => '?').join(', ')})`,
        batch.map((c) => c.sourceKey),
      );
      for (const row of rows) ledgerIds.set(row.sourceKey, Number(row.id));
      await em.query(
        `INSERT INTO points_lot (member_id, ledger_id, points, remaining, expires_at)
          VALUES ${batch.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
        batch.flatMap((c) => [c.memberId, ledgerIds.get(c.sourceKey), c.points, c.points, sqlDate(em, c.expiresAt)]),
      );
    }
    await membersRepository.addPointsBalances(em, new Map(credits.map((c) => [c.memberId, c.points])));
    for (const c of credits) {
      await this.events.publish(
        em,
        new PointsChanged(c.memberId, ledgerIds.get(c.sourceKey)!, c.points, c.points, PointsReason.Import, c.sourceKey, null, now),
      );
    }
  }

  /**
   * Takes `points` (all of them, else POINTS_INSUFFICIENT; or with `upToBalance`, as many as there are) from the
   * member's lots: `firstFromLedgerId`'s lot first (a clawback takes the purchase's own points first), then the
   * soonest to expire. Answers the points taken and the line written.
   */
  async debit(
    em: EntityManager,
    movement: Movement & { points: number; upToBalance?: boolean; firstFromLedgerId?: number },
  ): Promise<{ taken: number; line: PointsLedgerLine | null }> {
    if (movement.points <= 0) return { taken: 0, line: null };
    const balance = await this.lockSpendableBalance(em, movement.memberId, movement.now);
    if (balance < movement.points && !movement.upToBalance) throw new DomainError('POINTS_INSUFFICIENT');
    const wanted = Math.min(movement.points, balance);
    if (wanted === 0) return { taken: 0, line: null };

    const lots = await this.lockLots(em, movement.memberId);
    if (movement.firstFromLedgerId !== undefined)
      lots.sort((a, b) => Number(b.ledgerId === movement.firstFromLedgerId) - Number(a.ledgerId === movement.firstFromLedgerId));
    let left = wanted;
    let earliestExpiry: Date | null = null;
    const draws: Array<{ lotId: number; points: number; expiresAt: Date }> = [];
    for (const lot of lots) {
      if (left === 0) break;
      const take = Math.min(lot.remaining, left);
      await this.takeFromLot(em, lot.id, take);
      left -= take;
      draws.push({ lotId: lot.id, points: take, expiresAt: lot.expiresAt });
      if (!earliestExpiry || lot.expiresAt < earliestExpiry) earliestExpiry = lot.expiresAt;
    }
    // Lots and balance are written together; they can only disagree through a bug, which must not pass silently.
    if (left !== 0) throw new Error(`points lots of member ${movement.memberId} hold ${wanted - left}, balance says ${balance}`);
    const line = await this.appendLine(em, movement, -wanted, balance - wanted, earliestExpiry);
    await em.insert(
      PointsDraw,
      draws.map((draw) => ({ ledgerId: line.id, ...draw, restored: 0 })),
    );
    await this.moveBalance(em, movement.memberId, -wanted);
    return { taken: wanted, line };
  }

  /**
   * Gives back `points` of what the debit `fromLine` took (a refund's share of a burn, an order's released hold),
   * each part with the expiry it had: from the latest-expiring part first (undoing the debit, which took the
   * soonest first), so a partial give-back keeps the longest life and two give-backs of one debit never give the
   * same part twice (`restored` moves by a conditional UPDATE, under the member's lock). Points beyond what the
   * debit's draws hold (a debit from before draws were kept) come back with `fallbackExpiresAt`. One ledger line
   * (its expiry the soonest of the parts) and one lot per expiry.
   */
  async restore(
    em: EntityManager,
    movement: Movement & { points: number; fromLine: PointsLedgerLine | null; fallbackExpiresAt: Date },
  ): Promise<PointsLedgerLine | null> {
    if (movement.points <= 0) return null;
    const balance = await this.lockBalance(em, movement.memberId);
    const draws: Array<{ id: number | string; points: number | string; restored: number | string; expiresAt: Date | string }> =
      movement.fromLine === null
        ? []
        : await em.query(
            `SELECT id, points, restored, expires_at AS expiresAt FROM points_draw
              WHERE ledger_id = ? ORDER BY expires_at DESC, id DESC${forUpdate(em)}`,
            [movement.fromLine.id],
          );
    const byExpiry = new Map<number, number>();
    const add = (expiresAt: Date, points: number) => byExpiry.set(expiresAt.getTime(), (byExpiry.get(expiresAt.getTime()) ?? 0) + points);
    let left = movement.points;
    for (const draw of draws) {
      if (left === 0) break;
      const take = Math.min(Number(draw.points) - Number(draw.restored), left);
      if (take <= 0) continue;
      const changed = await execute(em, 'UPDATE points_draw SET restored = restored + ? WHERE id = ? AND restored + ? <= points', [
        take,
        Number(draw.id),
        take,
      ]);
      if (changed !== 1) throw new Error(`points draw ${draw.id} was given back under its lock`);
      add(sqlDateValue(draw.expiresAt), take);
      left -= take;
    }
    if (left > 0) add(movement.fallbackExpiresAt, left);
    const parts = [...byExpiry.entries()].sort(([a], [b]) => a - b).map(([at, points]) => ({ expiresAt: new Date(at), points }));
    return this.addLots(em, movement, balance, parts);
  }

  /**
   * Takes what is left of one lot (its expiry), once: a lot already emptied or expired by another run changes
   * nothing. Never below 0: should the lots ever hold more than the balance (they cannot unless a bug wrote them
   * apart), the lot is emptied and the balance taken to 0, not beyond.
   */
  async expireLot(em: EntityManager, lotId: number, now: Date): Promise<number> {
    const lot = await em.findOneBy(PointsLot, { id: lotId });
    if (!lot || lot.remaining <= 0) return 0;
    const balance = await this.lockBalance(em, lot.memberId);
    return this.expireLockedLot(em, { id: lotId, memberId: lot.memberId, expiresAt: lot.expiresAt }, balance, now);
  }

  /**
   * Locks the member's row, as lockBalance, and first expires the member's lots whose time has come, as the expiry
   * job would (the same `expire:lot:<id>` lines, so the job later finds nothing to do): answers the balance that
   * may be spent now. Spending calls it: between a year's end and the job's next run, points that had expired
   * were still spent (taken first, being the soonest to expire).
   */
  async lockSpendableBalance(em: EntityManager, memberId: number, now: Date): Promise<number> {
    let balance = await this.lockBalance(em, memberId);
    const lapsed: Array<{ id: number | string; expiresAt: Date | string }> = await em.query(
      `SELECT id, expires_at AS expiresAt FROM points_lot
        WHERE member_id = ? AND remaining > 0 AND expires_at < ? ORDER BY id${forUpdate(em)}`,
      [memberId, sqlDate(em, now)],
    );
    for (const lot of lapsed)
      balance -= await this.expireLockedLot(em, { id: Number(lot.id), memberId, expiresAt: sqlDateValue(lot.expiresAt) }, balance, now);
    return balance;
  }

  /** expireLot once the member's row is locked (`balance` read under it). */
  private async expireLockedLot(
    em: EntityManager,
    lot: { id: number; memberId: number; expiresAt: Date },
    balance: number,
    now: Date,
  ): Promise<number> {
    const [fresh]: Array<{ remaining: number | string }> = await em.query(`SELECT remaining FROM points_lot WHERE id = ?${forUpdate(em)}`, [
      lot.id,
    ]);
    const remaining = Number(fresh.remaining);
    if (remaining <= 0) return 0;
    await this.takeFromLot(em, lot.id, remaining);
    const taken = Math.min(remaining, balance);
    if (taken < remaining)
      this.logger.error(
        { memberId: lot.memberId, lotId: lot.id, remaining, balance },
        'points lot held more than the balance: expired down to 0',
      );
    if (taken === 0) return 0;
    await this.appendLine(
      em,
      { memberId: lot.memberId, reason: 'expire', sourceKey: `expire:lot:${lot.id}`, now },
      -taken,
      balance - taken,
      lot.expiresAt,
    );
    await this.moveBalance(em, lot.memberId, -taken);
    return taken;
  }

  /** The member's lots with points left, soonest expiry first, locked (and current) for the rest of the transaction. */
  private async lockLots(
    em: EntityManager,
    memberId: number,
  ): Promise<Array<{ id: number; ledgerId: number; remaining: number; expiresAt: Date }>> {
    const rows: Array<{ id: number | string; ledgerId: number | string; remaining: number | string; expiresAt: Date | string }> =
      await em.query(
        `SELECT id, ledger_id AS ledgerId, remaining, expires_at AS expiresAt FROM points_lot
          WHERE member_id = ? AND remaining > 0 ORDER BY expires_at, id${forUpdate(em)}`,
        [memberId],
      );
    return rows.map((row) => ({
      id: Number(row.id),
      ledgerId: Number(row.ledgerId),
      remaining: Number(row.remaining),
      expiresAt: sqlDateValue(row.expiresAt),
    }));
  }

  /** `points` out of one lot, only if it holds them: a lot never goes below 0 (nor above its original: nothing adds to one). */
  private async takeFromLot(em: EntityManager, lotId: number, points: number): Promise<void> {
    const changed = await execute(em, 'UPDATE points_lot SET remaining = remaining - ? WHERE id = ? AND remaining >= ?', [
      points,
      lotId,
      points,
    ]);
    if (changed !== 1) throw new Error(`points lot ${lotId} holds fewer than ${points} points`);
  }

  /** The balance moves by `delta`, never below 0 (a debit is decided under the member's lock; members holds it in SQL too). */
  private async moveBalance(em: EntityManager, memberId: number, delta: number): Promise<void> {
    if (!(await membersRepository.movePointsBalance(em, memberId, delta)))
      throw new Error(`points balance of member ${memberId} cannot move by ${delta}`);
  }

  private async appendLine(
    em: EntityManager,
    movement: Movement,
    delta: number,
    balanceAfter: number,
    expiresAt: Date | null,
  ): Promise<PointsLedgerLine> {
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
    // Every line is a change of the balance: announced with it, in the same transaction.
    await this.events.publish(
      em,
      new PointsChanged(line.memberId, line.id, delta, balanceAfter, line.reason, line.sourceKey, line.purchaseId, movement.now),
    );
    return line;
  }
}

/** The effect behind this source key was already written: the caller's transaction must roll back and replay. */
export class PointsEffectAlreadyApplied extends Error {
  constructor(readonly sourceKey: string) {
    super(`points effect ${sourceKey} already applied`);
    this.name = 'PointsEffectAlreadyApplied';
  }
}
