import type { AuditLogEntry, AuditLogPage } from '@member/shared';
import { Injectable } from '@nestjs/common';
import { Between, DataSource, In, LessThan, MoreThanOrEqual, type EntityManager, type FindOptionsWhere } from 'typeorm';
import type { StaffAccount } from '../auth/staff.service';
import { Clock } from '../common/clock';
import { AuditLog } from './audit-log.entity';

export interface AuditFacts {
  action: string;
  outcome: string;
  storeCode?: string | null;
  target?: string | number | null;
  memberId?: number | null;
  amountFen?: number | null;
  points?: number | null;
  requestId?: string | null;
}

export interface AuditQuery {
  before?: number;
  limit: number;
  staffOpenid?: string;
  storeCode?: string;
  action?: string;
  /** Business days ("YYYY-MM-DD"), both included: AuditReadService turns them into `atFrom` / `atTo`. */
  from?: string;
  to?: string;
  memberId?: number;
}

/** What `page` reads by: the query with its days as instants, and the stores a manager may see. */
export interface AuditPageQuery extends Omit<AuditQuery, 'from' | 'to'> {
  atFrom?: Date;
  atTo?: Date;
  /** Only entries of these stores (a store manager's); undefined or null: every entry. */
  stores?: readonly string[] | null;
}

/** The append-only record of staff actions: this service only inserts and reads; nothing updates or deletes. */
@Injectable()
export class AuditService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async record(staff: Pick<StaffAccount, 'id' | 'openid' | 'role'>, facts: AuditFacts): Promise<void> {
    // What the request said, kept only where its column can hold it: an audit row is written for refused requests
    // too (a member id of 15 digits in a wrong member code, a store code of 100 characters in a path), and a value
    // MySQL cannot store would lose the row, where SQLite kept it.
    const int = (value: number | null | undefined) => (typeof value === 'number' && Number.isSafeInteger(value) ? value : null);
    const int32 = (value: number | null | undefined) => {
      const n = int(value);
      return n !== null && Math.abs(n) <= 2_147_483_647 ? n : null;
    };
    await this.dataSource.getRepository(AuditLog).insert({
      at: this.clock.now(),
      staffId: staff.id,
      staffOpenid: staff.openid,
      role: staff.role,
      storeCode: facts.storeCode?.slice(0, 32) ?? null,
      action: facts.action.slice(0, 48),
      outcome: facts.outcome.slice(0, 48),
      target: facts.target === null || facts.target === undefined ? null : String(facts.target).slice(0, 64),
      memberId: int32(facts.memberId),
      amountFen: int(facts.amountFen),
      points: int(facts.points),
      requestId: facts.requestId?.slice(0, 64) ?? null,
    });
  }

  /**
   * A member's own action that must leave a trace (注销: account.delete), in the caller's transaction so the
   * record commits with the action or not at all. The actor is the member: no staff account, role 'member',
   * and nothing personal (the member id only).
   */
  async recordMemberAction(em: EntityManager, memberId: number, action: string, outcome = 'ok'): Promise<void> {
    await em.getRepository(AuditLog).insert({
      at: this.clock.now(),
      staffId: null,
      staffOpenid: '',
      role: 'member',
      storeCode: null,
      action: action.slice(0, 48),
      outcome: outcome.slice(0, 48),
      target: null,
      memberId,
      amountFen: null,
      points: null,
      requestId: null,
    });
  }

  /** Newest first, `limit` at a time; `nextBefore` pages on. */
  async page(query: AuditPageQuery): Promise<AuditLogPage> {
    const where: FindOptionsWhere<AuditLog> = {};
    if (query.before !== undefined) where.id = LessThan(query.before);
    if (query.staffOpenid) where.staffOpenid = query.staffOpenid;
    if (query.action) where.action = query.action;
    if (query.memberId !== undefined) where.memberId = query.memberId;
    if (query.stores) {
      // A manager without stores sees nothing (and IN () is not SQL).
      const stores = query.storeCode ? query.stores.filter((code) => code === query.storeCode) : query.stores;
      if (stores.length === 0) return { entries: [], nextBefore: null };
      where.storeCode = In(stores);
    } else if (query.storeCode) where.storeCode = query.storeCode;
    if (query.atFrom || query.atTo)
      where.at = query.atTo ? Between(query.atFrom ?? new Date(0), query.atTo) : MoreThanOrEqual(query.atFrom!);
    const rows = await this.dataSource.getRepository(AuditLog).find({ where, order: { id: 'DESC' }, take: query.limit + 1 });
    const entries = rows.slice(0, query.limit).map(toEntry);
    return { entries, nextBefore: rows.length > query.limit ? entries[entries.length - 1].id : null };
  }
}

function toEntry(row: AuditLog): AuditLogEntry {
  return {
    id: row.id,
    at: row.at.toISOString(),
    staffOpenid: row.staffOpenid,
    role: row.role,
    storeCode: row.storeCode,
    action: row.action,
    outcome: row.outcome,
    target: row.target,
    memberId: row.memberId,
    amountFen: row.amountFen,
    points: row.points,
  };
}
