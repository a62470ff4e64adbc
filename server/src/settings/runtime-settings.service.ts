import type { AppConfig } from '@member/config';
import type { RuntimeSettingKey } from '@member/shared';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { SettingVersion } from './setting-version.entity';
import { RUNTIME_SETTINGS, type RuntimeSettingValues } from './settings-registry';

/** A setting's latest version as read, or the config's value (version 0). */
export interface EffectiveSetting<K extends RuntimeSettingKey> {
  value: RuntimeSettingValues[K];
  version: number;
  row: SettingVersion | null;
}

/**
 * Where services read the runtime-changeable business rules (settings-registry.ts): the latest version saved in
 * the console, or the config's value. Each instance keeps what it read for runtimeSettings.cacheSeconds (5 s by
 * default), so every instance applies a change within that time; the instance that saved it applies it at once.
 * The cache holds all keys from one small query (one row per key), so a busy sender costs one read per period.
 */
@Injectable()
export class RuntimeSettings {
  private cache: { at: number; rows: Map<string, SettingVersion> } | null = null;
  private loading: Promise<Map<string, SettingVersion>> | null = null;

  constructor(
    /** The config the defaults come from (the settings page shows them next to the current values). */
    @InjectConfig() readonly config: AppConfig,
    private readonly dataSource: DataSource,
  ) {}

  async get<K extends RuntimeSettingKey>(key: K): Promise<RuntimeSettingValues[K]> {
    return (await this.effective(key)).value;
  }

  async effective<K extends RuntimeSettingKey>(key: K): Promise<EffectiveSetting<K>> {
    const row = (await this.latestRows()).get(key) ?? null;
    if (!row) return { value: RUNTIME_SETTINGS[key].fromConfig(this.config) as RuntimeSettingValues[K], version: 0, row: null };
    return { value: JSON.parse(row.valueJson) as RuntimeSettingValues[K], version: row.version, row };
  }

  /** Forget what was read: the next read goes to the database (after a change saved on this instance). */
  invalidate(): void {
    this.cache = null;
  }

  private async latestRows(): Promise<Map<string, SettingVersion>> {
    // Wall time, not the business Clock: a cache's age is real seconds even when a test moves the business clock.
    const now = Date.now();
    if (this.cache && now - this.cache.at < this.config.runtimeSettings.cacheSeconds * 1000) return this.cache.rows;
    // Callers arriving together share one query.
    this.loading ??= this.readLatest().finally(() => (this.loading = null));
    const rows = await this.loading;
    this.cache = { at: now, rows };
    return rows;
  }

  private async readLatest(): Promise<Map<string, SettingVersion>> {
    const repository = this.dataSource.getRepository(SettingVersion);
    const rows = await repository
      .createQueryBuilder('v')
      .where((qb) => {
        const latest = qb.subQuery().select('MAX(l.version)').from(SettingVersion, 'l').where('l.setting_key = v.setting_key').getQuery();
        return `v.version = ${latest}`;
      })
      .getMany();
    return new Map(rows.map((row) => [row.key, row]));
  }
}
