import type { AppConfig } from '@member/config';
import { StoreStatus } from '@member/shared';
import { Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { TransactionRunner } from '../database/transaction-runner';
import type { StaffAccount } from './staff.service';
import { Store } from './store.entity';

/** The stores table, and which store a staff action happens at. */
@Injectable()
export class StoresService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
  ) {}

  /**
   * Seeds the table from config's store list at start: a new store is added as active and a renamed one takes
   * its new name; a store's status (a closed store) is the table's and is left alone.
   */
  async syncFromConfig(stores: AppConfig['stores']): Promise<void> {
    await this.transactions.run(async (em) => {
      for (const store of stores) {
        const existing = await em.findOneBy(Store, { code: store.code });
        if (!existing) await em.insert(Store, { code: store.code, name: store.name, status: StoreStatus.Active });
        else if (existing.name !== store.name) await em.update(Store, { code: store.code }, { name: store.name });
      }
    });
  }

  /** 停业 / 恢复营业 from the console (HQ); the store row, or null when there is no such store. */
  async setStatus(code: string, status: StoreStatus): Promise<Store | null> {
    const repository = this.dataSource.getRepository(Store);
    if (!(await this.exactly(code))) return null;
    const result = await repository.update({ code }, { status });
    return result.affected === 1 ? repository.findOneBy({ code }) : null;
  }

  /**
   * The store whose code is exactly this one. Store codes are exact (config's list is checked so), but MySQL's
   * collation finds `S001` for `s001`: taken as S001, such a request wrote `s001` on sales, redemptions and
   * feedback, which S001's own staff then saw in lists and could not open, and SQLite refused it.
   */
  private async exactly(code: string): Promise<Store | null> {
    const store = await this.dataSource.getRepository(Store).findOneBy({ code });
    return store && store.code === code ? store : null;
  }

  /** Every store, open or closed, by code. */
  async all(): Promise<Store[]> {
    return this.dataSource.getRepository(Store).find({ order: { code: 'ASC' } });
  }

  /** These stores by code (the ones that exist). */
  async byCodes(codes: string[]): Promise<Store[]> {
    if (!codes.length) return [];
    return this.dataSource.getRepository(Store).find({ where: { code: In(codes) }, order: { code: 'ASC' } });
  }

  /** Which of these codes are open stores, read in the caller's transaction. */
  async openAmong(em: EntityManager, codes: string[]): Promise<Set<string>> {
    if (!codes.length) return new Set();
    const rows = await em.find(Store, { where: { code: In(codes), status: StoreStatus.Active } });
    return new Set(rows.map((store) => store.code));
  }

  async active(): Promise<Store[]> {
    return this.dataSource.getRepository(Store).find({ where: { status: StoreStatus.Active }, order: { code: 'ASC' } });
  }

  /**
   * The store a staff action happens at: the one named, which must be an open store and one of the account's
   * (an admin's: any open store), or, when none is named, the account's only store.
   */
  async storeFor(staff: StaffAccount, requested: string | undefined): Promise<string> {
    if (requested === undefined) {
      if (staff.role !== 'admin' && staff.stores.length === 1) return staff.stores[0];
      throw new DomainError('STORE_REQUIRED');
    }
    const store = await this.exactly(requested);
    if (!store || store.status !== StoreStatus.Active) throw new DomainError('STORE_UNKNOWN');
    this.assertWorksAt(staff, requested);
    return requested;
  }

  /** A sale, order or report of this store: only its own staff, or an admin, may act on it. */
  assertWorksAt(staff: StaffAccount, storeCode: string): void {
    if (staff.role === 'admin') return;
    if (!staff.stores.includes(storeCode)) throw new DomainError('STORE_NOT_YOURS');
  }

  /** The stores whose records this account sees: null for an admin (every store). */
  visibleStores(staff: StaffAccount): string[] | null {
    return staff.role === 'admin' ? null : staff.stores;
  }
}
