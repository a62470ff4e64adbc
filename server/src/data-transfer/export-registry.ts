import type { StaffRole } from '@member/shared';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StaffAccount } from '../auth/staff.service';
import type { ExportCell } from './export-writer';

/** What an export covers: the caller's stores (null: every store, HQ) and a period of business days. */
export interface ExportScope {
  stores: readonly string[] | null;
  /** Inclusive start and exclusive end instants of the period, null when open. */
  from: Date | null;
  until: Date | null;
}

/**
 * One list or report that can be exported. Lists page by key (`afterKey` is the last row's key, 0 at first), so
 * a 1,000,000-row export reads 5,000 rows at a time through an index and never holds more; a report that is small
 * by nature answers all its rows in one page.
 */
export interface ExportSource {
  /** The URL segment: /api/staff/exports/<name>. */
  name: string;
  /** The Chinese title: the console's label and the XLSX sheet's name. */
  title: string;
  /** Who may export it (never clerks: a till has no business with lists). */
  roles: readonly StaffRole[];
  header: readonly string[];
  count(em: EntityManager, scope: ExportScope): Promise<number>;
  page(em: EntityManager, scope: ExportScope, afterKey: number, limit: number): Promise<{ rows: ExportCell[][]; lastKey: number }>;
}

/** A report's rows, small enough to answer at once; registerReport turns it into an export. */
export interface ExportReport {
  name: string;
  title: string;
  roles: readonly StaffRole[];
  header: readonly string[];
  rows(em: EntityManager, scope: ExportScope, staff: StaffAccount): Promise<ExportCell[][]>;
}

/**
 * The exports the console offers. Lists are registered by this module; a report endpoint (dashboards, campaign
 * reports) registers its export from its own module with `registerReport` in its onModuleInit, and the console's
 * ExportButtons then works for it unchanged: /api/staff/exports/<name>?format=csv|xlsx.
 */
@Injectable()
export class ExportRegistry {
  private readonly sources = new Map<string, ExportSource | (ExportReport & { kind: 'report' })>();

  register(source: ExportSource): void {
    this.add(source.name, source);
  }

  registerReport(report: ExportReport): void {
    this.add(report.name, { ...report, kind: 'report' });
  }

  /** The source for a caller, or null when it does not exist or their role may not use it (not told apart). */
  find(name: string, staff: StaffAccount): ExportSource | null {
    const found = this.sources.get(name);
    if (!found || !found.roles.includes(staff.role)) return null;
    if (!('kind' in found)) return found;
    // A report is one page: its rows are asked once (with the caller, whose stores it may need), then served.
    let rows: Promise<ExportCell[][]> | null = null;
    const rowsOf = (em: EntityManager, scope: ExportScope) => (rows ??= found.rows(em, scope, staff));
    return {
      name: found.name,
      title: found.title,
      roles: found.roles,
      header: found.header,
      count: async (em, scope) => (await rowsOf(em, scope)).length,
      page: async (em, scope, afterKey) => (afterKey > 0 ? { rows: [], lastKey: afterKey } : { rows: await rowsOf(em, scope), lastKey: 1 }),
    };
  }

  list(staff: StaffAccount): Array<{ name: string; title: string }> {
    return [...this.sources.values()].filter((s) => s.roles.includes(staff.role)).map((s) => ({ name: s.name, title: s.title }));
  }

  private add(name: string, source: ExportSource | (ExportReport & { kind: 'report' })): void {
    if (!/^[a-z][a-z0-9-]{1,31}$/.test(name)) throw new Error(`export name ${name}: lowercase letters, digits and -`);
    if (this.sources.has(name)) throw new Error(`export ${name} is registered twice`);
    if (source.roles.includes('clerk')) throw new Error(`export ${name}: clerks may not export`);
    this.sources.set(name, source);
  }
}
