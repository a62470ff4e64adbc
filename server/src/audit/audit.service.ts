import type { AuditLogEntry, AuditLogPage } from '@member/shared';
import { Injectable } from '@nestjs/common';
import { DataSource, LessThan, type EntityManager, type FindOptionsWhere } from 'typeorm';
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
  /** One member's entries (the console's 操作记录): the index on (member_id, id). */
  memberId?: number;
}

/** The append-only record of staff actions: this service only inserts and reads; nothing updates or deletes. */
@Injectable()
export class AuditService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async record(staff: Pick<StaffAccount, 'id' | 'openid' | 'role'>, facts: AuditFacts): Promise<void> {
    const int = (value: number | null | undefined) => (typeof value === 'number' && Number.isSafeInteger(value) ? value : null);
    await this.dataSource.getRepository(AuditLog).insert({
      at: this.clock.now(),
      staffId: staff.id,
      staffOpenid: staff.openid,
      role: staff.role,
      storeCode: facts.storeCode ?? null,
      action: facts.action.slice(0, 48),
      outcome: facts.outcome.slice(0, 48),
      target: facts.target === null || facts.target === undefined ? null : String(facts.target).slice(0, 64),
      memberId: int(facts.memberId),
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
  async page(query: AuditQuery): Promise<AuditLogPage> {
    const where: FindOptionsWhere<AuditLog> = {};
    if (query.before !== undefined) where.id = LessThan(query.before);
    if (query.staffOpenid) where.staffOpenid = query.staffOpenid;
    if (query.storeCode) where.storeCode = query.storeCode;
    if (query.action) where.action = query.action;
    if (query.memberId !== undefined) where.memberId = query.memberId;
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
