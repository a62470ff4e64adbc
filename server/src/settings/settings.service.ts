import {
  isRuntimeSettingKey,
  RUNTIME_SETTING_KEYS,
  type RuntimeSettingKey,
  type RuntimeSettingVersionView,
  type RuntimeSettingView,
} from '@member/shared';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { StaffAccount } from '../auth/staff.service';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { isUniqueViolation, TransactionRunner } from '../database/transaction-runner';
import { RuntimeSettings } from './runtime-settings.service';
import { SettingVersion } from './setting-version.entity';
import { RUNTIME_SETTINGS } from './settings-registry';

export interface SettingChange {
  value: unknown;
  reason: string;
  /** The version the editor saw: a change made from an older one is refused (SETTING_STALE), not silently lost. */
  baseVersion: number;
}

/** The console's 设置 page (HQ): current values, a change with its reason, the history, and revert to a version. */
@Injectable()
export class SettingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly runtime: RuntimeSettings,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<RuntimeSettingView[]> {
    this.runtime.invalidate();
    return Promise.all(RUNTIME_SETTING_KEYS.map((key) => this.view(key)));
  }

  async history(key: string): Promise<RuntimeSettingVersionView[]> {
    const known = this.known(key);
    const rows = await this.dataSource.getRepository(SettingVersion).find({ where: { key: known }, order: { version: 'DESC' } });
    return rows.map(versionView);
  }

  /** A new version: validated by the config's schema for the key; the previous versions stay as they were. */
  async change(staff: StaffAccount, key: string, change: SettingChange): Promise<RuntimeSettingView> {
    const known = this.known(key);
    const parsed = RUNTIME_SETTINGS[known].schema.safeParse(change.value);
    if (!parsed.success)
      throw new DomainError(
        'SETTING_INVALID',
        parsed.error.issues.map((issue) => ({ path: [known, ...issue.path].join('.'), reason: issue.message })),
      );
    return this.append(staff, known, parsed.data, change.reason, change.baseVersion, null);
  }

  /** 回滚: the value of an earlier version becomes a new version (history only grows), with its own reason. */
  async revert(staff: StaffAccount, key: string, version: number, reason: string, baseVersion: number): Promise<RuntimeSettingView> {
    const known = this.known(key);
    const target = await this.dataSource.getRepository(SettingVersion).findOneBy({ key: known, version });
    if (!target) throw new DomainError('SETTING_VERSION_NOT_FOUND');
    // A value saved under an older schema must still pass today's before it applies again.
    const parsed = RUNTIME_SETTINGS[known].schema.safeParse(JSON.parse(target.valueJson));
    if (!parsed.success) throw new DomainError('SETTING_INVALID');
    return this.append(staff, known, parsed.data, reason, baseVersion, version);
  }

  private async append(
    staff: StaffAccount,
    key: RuntimeSettingKey,
    value: unknown,
    reason: string,
    baseVersion: number,
    revertedFrom: number | null,
  ): Promise<RuntimeSettingView> {
    try {
      await this.transactions.run(async (em) => {
        const latest = await em.findOne(SettingVersion, { where: { key }, order: { version: 'DESC' } });
        if ((latest?.version ?? 0) !== baseVersion) throw new DomainError('SETTING_STALE');
        // Two saves from the same base both pass the check above; the unique (key, version) lets one in.
        await em.insert(SettingVersion, {
          key,
          version: baseVersion + 1,
          valueJson: JSON.stringify(value),
          reason,
          changedByStaffId: staff.id,
          changedByName: staff.name,
          changedAt: this.clock.now(),
          revertedFrom,
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('SETTING_STALE');
      throw error;
    }
    this.runtime.invalidate();
    return this.view(key);
  }

  private known(key: string): RuntimeSettingKey {
    if (!isRuntimeSettingKey(key)) throw new DomainError('SETTING_UNKNOWN');
    return key;
  }

  private async view(key: RuntimeSettingKey): Promise<RuntimeSettingView> {
    const definition = RUNTIME_SETTINGS[key];
    const effective = await this.runtime.effective(key);
    return {
      key,
      label: definition.label,
      description: definition.description,
      value: effective.value,
      defaultValue: definition.fromConfig(this.runtimeConfig()),
      version: effective.version,
      changedBy: effective.row?.changedByName ?? null,
      changedAt: effective.row?.changedAt.toISOString() ?? null,
    };
  }

  private runtimeConfig() {
    return this.runtime.config;
  }
}

function versionView(row: SettingVersion): RuntimeSettingVersionView {
  return {
    key: row.key as RuntimeSettingKey,
    version: row.version,
    value: JSON.parse(row.valueJson) as unknown,
    reason: row.reason,
    changedBy: row.changedByName,
    changedByStaffId: row.changedByStaffId,
    changedAt: row.changedAt.toISOString(),
    revertedFrom: row.revertedFrom,
  };
}
