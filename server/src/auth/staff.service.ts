import type { AppConfig } from '@member/config';
import type { StaffRole } from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type Repository } from 'typeorm';
import { TransactionRunner } from '../database/transaction-runner';
import { StaffMember, StaffSource } from './staff-member.entity';

/** Staff are WeChat users bound to a role, from config (re-applied at each start) or from the CLI. */
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

  /** Makes the config's staff list true in the database; config entries dropped from the list are removed. */
  async syncFromConfig(wanted: AppConfig['staff']): Promise<void> {
    await this.transactions.run(async (em) => {
      for (const entry of wanted) await this.upsertWith(em.getRepository(StaffMember), entry.openid, entry.role, entry.name, StaffSource.Config);
      const stale = await em.find(StaffMember, { where: { source: StaffSource.Config } });
      const keep = new Set(wanted.map((entry) => entry.openid));
      const toRemove = stale.filter((staff) => !keep.has(staff.openid)).map((staff) => staff.id);
      if (toRemove.length) await em.delete(StaffMember, toRemove);
    });
    if (wanted.length) this.logger.log({ count: wanted.length }, 'staff bindings applied from config');
  }

  async bind(openid: string, role: StaffRole, name: string | null): Promise<void> {
    await this.transactions.run((em) => this.upsertWith(em.getRepository(StaffMember), openid, role, name, StaffSource.Cli));
  }

  async unbind(openid: string): Promise<boolean> {
    const result = await this.transactions.run((em) => em.delete(StaffMember, { openid }));
    return (result.affected ?? 0) > 0;
  }

  async list(): Promise<StaffMember[]> {
    return this.dataSource.getRepository(StaffMember).find({ order: { id: 'ASC' } });
  }

  private async upsertWith(repository: Repository<StaffMember>, openid: string, role: StaffRole, name: string | null, source: StaffSource) {
    const existing = await repository.findOneBy({ openid });
    if (existing) await repository.update({ id: existing.id }, { role, name, source });
    else await repository.insert({ openid, role, name, source });
  }
}
