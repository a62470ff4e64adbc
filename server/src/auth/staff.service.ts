import type { AppConfig } from '@member/config';
import { StaffRole } from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { TransactionRunner } from '../database/transaction-runner';
import { StaffMember, StaffSource } from './staff-member.entity';
import { StaffStore } from './store.entity';

/** A staff account as the guards see it: role and the stores it works at (none for an admin: every store). */
export interface StaffAccount {
  id: number;
  openid: string;
  role: StaffRole;
  name: string | null;
  stores: string[];
}

/** Staff are WeChat users bound to a role and stores, from config (re-applied at each start) or from the CLI. */
@Injectable()
export class StaffService {
  private readonly logger = new Logger(StaffService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
  ) {}

  async findByOpenid(openid: string): Promise<StaffMember | null> {
    return this.dataSource.getRepository(StaffMember).findOneBy({ openid });
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

  async bind(openid: string, role: StaffRole, name: string | null, stores: string[] = []): Promise<void> {
    await this.transactions.run((em) => this.upsertWith(em, openid, role, name, stores, StaffSource.Cli));
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

  async list(): Promise<Array<StaffAccount & { source: StaffSource }>> {
    const staff = await this.dataSource.getRepository(StaffMember).find({ order: { id: 'ASC' } });
    const stores = await this.dataSource.getRepository(StaffStore).find({ order: { storeCode: 'ASC' } });
    return staff.map((s) => ({
      id: s.id,
      openid: s.openid,
      role: s.role,
      name: s.name,
      source: s.source,
      stores: stores.filter((row) => row.staffId === s.id).map((row) => row.storeCode),
    }));
  }

  private async upsertWith(em: EntityManager, openid: string, role: StaffRole, name: string | null, stores: string[], source: StaffSource) {
    const repository = em.getRepository(StaffMember);
    const existing = await repository.findOneBy({ openid });
    let id: number;
    if (existing) {
      await repository.update({ id: existing.id }, { role, name, source });
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
