import type { AppConfig } from '@member/config';
import { StaffRole } from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, In, IsNull, type EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { TransactionRunner } from '../database/transaction-runner';
import { StaffMember, StaffSource } from './staff-member.entity';

export { StaffSource };
import { Store, StaffStore } from './store.entity';

/** A staff account as the guards see it: role and the stores it works at (none for an admin: every store). */
export interface StaffAccount {
  id: number;
  openid: string;
  role: StaffRole;
  name: string | null;
  stores: string[];
}

export type StaffListEntry = StaffAccount & { source: StaffSource; disabledAt: Date | null; createdAt: Date };

/** Staff are WeChat users bound to a role and stores, from config (re-applied at each start) or from the CLI. */
@Injectable()
export class StaffService {
  private readonly logger = new Logger(StaffService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
  ) {}

  /** The enabled account of this WeChat user: a disabled one (停用) is not staff any more. */
  async findByOpenid(openid: string): Promise<StaffMember | null> {
    return this.dataSource.getRepository(StaffMember).findOneBy({ openid, disabledAt: IsNull() });
  }

  async roleOf(openid: string): Promise<StaffRole | null> {
    return (await this.findByOpenid(openid))?.role ?? null;
  }

  /** The account with its stores, read on every staff request so a change applies at once; null: not staff. */
  async accountOf(openid: string): Promise<StaffAccount | null> {
    const staff = await this.findByOpenid(openid);
    if (!staff) return null;
    const stores = await this.dataSource.getRepository(StaffStore).find({ where: { staffId: staff.id }, order: { storeCode: 'ASC' } });
    return { id: staff.id, openid: staff.openid, role: staff.role, name: staff.name, stores: stores.map((s) => s.storeCode) };
  }

  /** Makes the config's staff list true in the database; config entries dropped from the list are removed. */
  async syncFromConfig(wanted: AppConfig['staff']): Promise<void> {
    await this.transactions.run(async (em) => {
      for (const entry of wanted) await this.upsertWith(em, entry.openid, entry.role, entry.name, entry.stores ?? [], StaffSource.Config);
      const stale = await em.find(StaffMember, { where: { source: StaffSource.Config } });
      const keep = new Set(wanted.map((entry) => entry.openid));
      const toRemove = stale.filter((staff) => !keep.has(staff.openid)).map((staff) => staff.id);
      if (toRemove.length) {
        await em.delete(StaffStore, { staffId: In(toRemove) });
        await em.delete(StaffMember, toRemove);
      }
    });
    if (wanted.length) this.logger.log({ count: wanted.length }, 'staff bindings applied from config');
  }

  /**
   * The CLI's binding (`npm run staff -- add`). Its stores must be stores, spelled as the store table spells them:
   * an operator's `s001` for S001 was kept on SQLite as a store no request could name, and MySQL's foreign key
   * refused it with a bare SQL error. STORE_UNKNOWN names the ones that are not (context.unknown).
   */
  async bind(openid: string, role: StaffRole, name: string | null, stores: string[] = []): Promise<void> {
    await this.transactions.run(async (em) => {
      const known = new Set(stores.length ? (await em.find(Store, { where: { code: In(stores) } })).map((store) => store.code) : []);
      const unknown = stores.filter((code) => !known.has(code));
      if (unknown.length) throw new DomainError('STORE_UNKNOWN', undefined, { unknown });
      await this.upsertWith(em, openid, role, name, stores, StaffSource.Cli);
    });
  }

  async unbind(openid: string): Promise<boolean> {
    return this.transactions.run(async (em) => {
      const staff = await em.findOneBy(StaffMember, { openid });
      if (!staff) return false;
      await em.delete(StaffStore, { staffId: staff.id });
      await em.delete(StaffMember, { id: staff.id });
      return true;
    });
  }

  /** Every account, enabled or not (`disabledAt`), oldest first. */
  async list(): Promise<StaffListEntry[]> {
    const staff = await this.dataSource.getRepository(StaffMember).find({ order: { id: 'ASC' } });
    const stores = await this.dataSource.getRepository(StaffStore).find({ order: { storeCode: 'ASC' } });
    const byStaff = new Map<number, string[]>();
    for (const row of stores) byStaff.set(row.staffId, [...(byStaff.get(row.staffId) ?? []), row.storeCode]);
    return staff.map((s) => this.entry(s, byStaff.get(s.id) ?? []));
  }

  /** One account by id, enabled or not; null when there is none. */
  async byId(id: number, em: EntityManager = this.dataSource.manager): Promise<StaffListEntry | null> {
    const staff = await em.findOneBy(StaffMember, { id });
    if (!staff) return null;
    const stores = await em.find(StaffStore, { where: { staffId: id }, order: { storeCode: 'ASC' } });
    return this.entry(
      staff,
      stores.map((row) => row.storeCode),
    );
  }

  /** The console's change of an account's role and stores (the caller checked who may; config accounts are refused there). */
  async changeRole(em: EntityManager, id: number, role: StaffRole, stores: string[]): Promise<void> {
    await em.update(StaffMember, { id }, { role });
    await em.delete(StaffStore, { staffId: id });
    if (stores.length)
      await em.insert(
        StaffStore,
        [...new Set(stores)].map((storeCode) => ({ staffId: id, storeCode })),
      );
  }

  /** 停用 / 启用: a disabled account fails StaffGuard on its next request; its rows and history stay. */
  async setDisabled(em: EntityManager, id: number, disabledAt: Date | null): Promise<void> {
    await em.update(StaffMember, { id }, { disabledAt });
  }

  /**
   * Makes this WeChat user staff from an accepted invite, in the caller's transaction: a new account, or a
   * disabled one enabled again with the invite's role and stores. An enabled account is refused (the caller
   * says STAFF_ALREADY_STAFF); two first acceptances at once meet the unique openid index and one fails.
   */
  async enrolFromInvite(em: EntityManager, openid: string, role: StaffRole, name: string | null, stores: string[]): Promise<number | null> {
    const existing = await em.findOneBy(StaffMember, { openid });
    if (existing && existing.disabledAt === null) return null;
    if (existing) {
      await em.update(StaffMember, { id: existing.id }, { disabledAt: null, source: StaffSource.Invite, name: name ?? existing.name });
      await this.changeRole(em, existing.id, role, stores);
      return existing.id;
    }
    await em.insert(StaffMember, { openid, role, name, source: StaffSource.Invite, disabledAt: null });
    const id = (await em.findOneByOrFail(StaffMember, { openid })).id;
    await this.changeRole(em, id, role, stores);
    return id;
  }

  private entry(s: StaffMember, stores: string[]): StaffListEntry {
    return {
      id: s.id,
      openid: s.openid,
      role: s.role,
      name: s.name,
      source: s.source,
      stores,
      disabledAt: s.disabledAt,
      createdAt: s.createdAt,
    };
  }

  private async upsertWith(em: EntityManager, openid: string, role: StaffRole, name: string | null, stores: string[], source: StaffSource) {
    const repository = em.getRepository(StaffMember);
    const existing = await repository.findOneBy({ openid });
    let id: number;
    if (existing) {
      // Config and the CLI are authoritative for what they say: an account they list is enabled again.
      await repository.update({ id: existing.id }, { role, name, source, disabledAt: null });
      id = existing.id;
    } else {
      await repository.insert({ openid, role, name, source });
      id = (await repository.findOneByOrFail({ openid })).id;
    }
    // The account's stores are exactly the ones given (an admin's list may be empty: HQ works everywhere).
    await em.delete(StaffStore, { staffId: id });
    if (stores.length)
      await em.insert(
        StaffStore,
        [...new Set(stores)].map((storeCode) => ({ staffId: id, storeCode })),
      );
  }
}
