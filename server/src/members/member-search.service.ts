import type { AppConfig } from '@member/config';
import type { AccountStatus, LifecycleStatus, MemberSearchMode, MemberSearchResponse, MemberSearchRow, TierCode } from '@member/shared';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { StaffAccount } from '../auth/staff.service';
import { StoresService } from '../auth/stores.service';
import { InjectConfig } from '../common/app-config';
import { DomainError } from '../common/domain-error';
import { sqlDateValue } from '../database/dialect';
import { ordersRepository } from '../orders/orders.repository';
import { decodeSearchCursor, encodeSearchCursor, LIKE_ESCAPE, likePattern, planSearch, type SearchCursor } from './member-search';
import { PhoneVault } from './phone-vault';

const COLUMNS =
  'm.id AS id, m.nickname AS nickname, m.phone_masked AS phoneMasked, m.tier AS tier, m.lifecycle_status AS lifecycleStatus,' +
  ' m.account_status AS accountStatus, m.points_balance AS pointsBalance, m.joined_at AS joinedAt, m.last_purchase_at AS lastPurchaseAt';

type Row = Omit<MemberSearchRow, 'joinedAt' | 'lastPurchaseAt' | 'id' | 'pointsBalance'> & {
  id: number | string;
  pointsBalance: number | string;
  joinedAt: Date | string | null;
  lastPurchaseAt: Date | string | null;
};

/**
 * 会员查询 in the console, for HQ admins (every member) and store managers (their members: those with a settled
 * sale, at the till or in the app, at one of their stores; where a member joined is not recorded, so buying
 * there is what makes a member a store's). Clerks are refused: they read a member only through the member code
 * shown at the till (MemberAccessService), so a list can never be walked from a till account.
 *
 * Each look-up reads one index and stops after a page (keyset, `pageSize + 1` rows to know there is more):
 * - phone: the keyed hash (uq_member_phone_hash); the number is never stored or compared in clear. A deleted
 *   member (注销) has no hash any more and is never found by phone, last four digits or nickname.
 * - last4: idx_member_phone_last4 (phone_last4, id), newest members first.
 * - memberNo: the primary key.
 * - nickname, prefix (default): idx_member_nickname (nickname, id), in nickname order; case-insensitive through
 *   the column's collation on MySQL (utf8mb4_unicode_ci) and LIKE's ASCII case folding on SQLite.
 * - nickname, contains: no index can serve it, so each request reads one range of at most
 *   memberConsole.containsScanIds member ids (newest first, on the primary key) and stops there: with a page
 *   found, or with a cursor at the range's start so 继续搜索 reads the next one. Unbounded, a term nobody's
 *   nickname holds read all 1,000,000 rows (1.4 s on MariaDB); bounded, a request costs a fixed slice of that.
 *
 * Measured with test/scripts/member-search-explain.mjs (1,000,000 members, MariaDB 10.11, EXPLAIN + median of 5):
 * phone, member number: const, < 1 ms; last four: ref on idx_member_phone_last4, ~1 ms; nickname prefix: range on
 * idx_member_nickname, ~1 ms; contains: range on the primary key over 100,000 ids, 2 ms when matches are common,
 * ~60 ms when none. A store manager's scope adds one probe of idx_purchase_member_time per candidate (DEPENDENT
 * SUBQUERY): 1-2 ms for the indexed modes, ~40-50 ms for contains.
 */
@Injectable()
export class MemberSearchService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly stores: StoresService,
    private readonly phoneVault: PhoneVault,
  ) {}

  async search(
    staff: StaffAccount,
    query: { q: string; mode?: MemberSearchMode; match?: 'prefix' | 'contains'; cursor?: string },
  ): Promise<MemberSearchResponse> {
    if (staff.role !== 'admin' && staff.role !== 'store_manager') throw new DomainError('FORBIDDEN');
    const plan = planSearch(query.q, query.mode);
    const match = plan.mode === 'nickname' ? (query.match ?? 'prefix') : 'exact';
    const cursor = query.cursor ? decodeSearchCursor(query.cursor, plan, match) : null;
    const visible = this.stores.visibleStores(staff);
    if (visible !== null && visible.length === 0) return { mode: plan.mode, rows: [], nextCursor: null };

    const size = this.config.memberConsole.pageSize;
    const where: string[] = [];
    const params: unknown[] = [];
    let order = 'm.id DESC';
    switch (plan.mode) {
      case 'phone':
        where.push('m.phone_hash = ?');
        params.push(this.phoneVault.lookupHash(PhoneVault.normalize('86', plan.term)));
        break;
      case 'last4':
        where.push('m.phone_last4 = ?');
        params.push(plan.term);
        break;
      case 'memberNo':
        where.push('m.id = ?');
        params.push(Number(plan.term));
        break;
      case 'nickname':
        where.push(`m.nickname LIKE ? ESCAPE '${LIKE_ESCAPE}'`);
        params.push(likePattern(plan.term, match as 'prefix' | 'contains'));
        if (match === 'prefix') order = 'm.nickname ASC, m.id ASC';
        break;
    }
    // The contains scan's range: [floor, ceiling) of member ids, below the cursor (or the newest member).
    let floor: number | null = null;
    if (match === 'contains') {
      const ceiling = cursor ? cursor.id : (await this.newestMemberId()) + 1;
      floor = Math.max(1, ceiling - this.config.memberConsole.containsScanIds);
      where.push('m.id >= ?');
      params.push(floor);
    }
    if (cursor) {
      if (order.startsWith('m.nickname')) {
        if (cursor.nickname === undefined) throw new DomainError('VALIDATION_FAILED');
        where.push('(m.nickname > ? OR (m.nickname = ? AND m.id > ?))');
        params.push(cursor.nickname, cursor.nickname, cursor.id);
      } else {
        where.push('m.id < ?');
        params.push(cursor.id);
      }
    }
    if (visible !== null) {
      const scope = ordersRepository.boughtAtSql('m', visible);
      where.push(scope.sql);
      params.push(...scope.params);
    }
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM member m WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${size + 1}`,
      params,
    );
    const page = rows.slice(0, size).map(toRow);
    const last = page[page.length - 1];
    let next: SearchCursor | null =
      rows.length > size && last ? { id: last.id, ...(order.startsWith('m.nickname') ? { nickname: last.nickname ?? '' } : {}) } : null;
    // A contains scan that read its whole range without filling a page continues below it, while ids remain.
    if (!next && floor !== null && floor > 1) next = { id: floor };
    return { mode: plan.mode, rows: page, nextCursor: next ? encodeSearchCursor(plan, match, next) : null };
  }

  private async newestMemberId(): Promise<number> {
    const [row]: Array<{ id: number | string | null }> = await this.dataSource.query('SELECT MAX(id) AS id FROM member');
    return Number(row?.id ?? 0);
  }
}

function toRow(row: Row): MemberSearchRow {
  return {
    id: Number(row.id),
    nickname: row.nickname,
    phoneMasked: row.phoneMasked,
    tier: row.tier as TierCode,
    lifecycleStatus: row.lifecycleStatus as LifecycleStatus,
    accountStatus: row.accountStatus as AccountStatus,
    pointsBalance: Number(row.pointsBalance),
    joinedAt: row.joinedAt ? sqlDateValue(row.joinedAt).toISOString() : null,
    lastPurchaseAt: row.lastPurchaseAt ? sqlDateValue(row.lastPurchaseAt).toISOString() : null,
  };
}
