import type { AppConfig } from '@member/config';
import type { AuditLogFilters, AuditLogPage } from '@member/shared';
import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { StaffService, type StaffAccount } from '../auth/staff.service';
import { StoresService } from '../auth/stores.service';
import { InjectConfig } from '../common/app-config';
import { AuditLog } from './audit-log.entity';
import { AuditService, type AuditQuery } from './audit.service';

/**
 * Reading the audit log as people ask for it: by business days, by store as the reader may see, with the staff
 * members' names. Apart from AuditService so the writer stays the small append-only thing it is.
 */
@Injectable()
export class AuditReadService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly staffAccounts: StaffService,
    private readonly storeAccess: StoresService,
  ) {}

  /** Every entry matching (HQ's read). */
  page(query: AuditQuery, stores: readonly string[] | null = null): Promise<AuditLogPage> {
    const { from, to, ...rest } = query;
    const zone = this.config.businessCalendar.timeZone;
    // `to` is included: up to the last millisecond before the next business day begins.
    const atFrom = from ? DateTime.fromISO(from, { zone }).startOf('day').toJSDate() : undefined;
    const atTo = to ? new Date(DateTime.fromISO(to, { zone }).plus({ days: 1 }).startOf('day').toMillis() - 1) : undefined;
    return this.audit.page({ ...rest, atFrom, atTo, stores });
  }

  /**
   * The console's read: HQ sees every entry, a store manager the entries of their stores only (a store they do
   * not work at is refused, STORE_NOT_YOURS; entries with no store, such as HQ's own, are not theirs), each
   * entry with the staff member's current name.
   */
  async pageFor(staff: StaffAccount, query: AuditQuery): Promise<AuditLogPage> {
    if (query.storeCode) this.storeAccess.assertWorksAt(staff, query.storeCode);
    const page = await this.page(query, this.storeAccess.visibleStores(staff));
    const names = new Map((await this.staffAccounts.list()).map((account) => [account.openid, account.name]));
    return { ...page, entries: page.entries.map((entry) => ({ ...entry, staffName: names.get(entry.staffOpenid) ?? null })) };
  }

  /** What the filters offer: the actions recorded so far; the staff (a manager: those sharing one of their stores). */
  async filtersFor(staff: StaffAccount): Promise<AuditLogFilters> {
    const rows = await this.dataSource
      .getRepository(AuditLog)
      .createQueryBuilder('a')
      .select('DISTINCT a.action', 'action')
      .orderBy('a.action', 'ASC')
      .getRawMany<{ action: string }>();
    const visible = this.storeAccess.visibleStores(staff);
    const actors = (await this.staffAccounts.list())
      .filter((account) => visible === null || account.stores.some((code) => visible.includes(code)))
      .map((account) => ({ openid: account.openid, name: account.name, role: account.role }));
    return { actions: rows.map((row) => row.action), actors };
  }
}
