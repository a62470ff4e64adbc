import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { AppConfig } from '@member/config';
import { ExportRunStatus, parseCalendarDate, type ExportFormat, type ExportRunView } from '@member/shared';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import type { StaffAccount } from '../auth/staff.service';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { isUniqueViolation } from '../database/transaction-runner';
import { ExportRun } from './data-transfer.entities';
import { ExportRegistry, type ExportScope, type ExportSource } from './export-registry';
import { listSources } from './export-sources';
import { writeTable, type ExportCell } from './export-writer';

export interface ExportRequest {
  format: ExportFormat;
  /** The console's id for this download (a UUID), to poll its progress; one is made when absent. */
  run?: string;
  /** Business dates, inclusive. */
  from?: string;
  to?: string;
  /** Narrows to one store (must be one of the caller's, for a store manager). */
  storeCode?: string;
}

/** An export about to stream: what the response headers need, and the function that writes it. */
export interface PreparedExport {
  runKey: string;
  fileName: string;
  contentType: string;
  rowsTotal: number;
  stream(out: Writable, aborted: () => boolean): Promise<number>;
}

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/**
 * Streamed exports (issue 18). The file is written straight into the HTTP response, page by page, while an
 * export_run row records how far it got. Streamed rather than built as a file first because the server keeps no
 * files (N stateless instances; nothing shared to put a 100 MB file on), the download starts at once, and memory
 * stays at one page. The console shows progress by polling the run (any instance answers: it is a row), so a
 * 1 M-row XLSX, whose bytes say nothing about rows, still shows "412,000 / 1,000,000".
 */
@Injectable()
export class ExportService implements OnModuleInit {
  private readonly logger = new Logger(ExportService.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly registry: ExportRegistry,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    for (const source of listSources(this.config)) this.registry.register(source);
  }

  sources(staff: StaffAccount) {
    return this.registry.list(staff);
  }

  async prepare(staff: StaffAccount, sourceName: string, request: ExportRequest): Promise<PreparedExport> {
    const source = this.registry.find(sourceName, staff);
    if (!source) throw new DomainError('EXPORT_NOT_FOUND');
    const scope = this.scopeOf(staff, request);
    const em = this.dataSource.manager;
    const rowsTotal = await source.count(em, scope);
    const runKey = request.run ?? randomUUID();
    const now = this.clock.now();
    try {
      await em.insert(ExportRun, {
        runKey,
        staffId: staff.id,
        source: source.name,
        format: request.format,
        status: ExportRunStatus.Running,
        rowsTotal,
        rowsDone: 0,
        createdAt: now,
        finishedAt: null,
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('VALIDATION_FAILED', [{ path: 'run', reason: 'this run id was used already' }]);
      throw error;
    }
    const stamp = DateTime.fromJSDate(now, { zone: this.config.businessCalendar.timeZone }).toFormat('yyyyLLdd-HHmmss');
    return {
      runKey,
      fileName: `${source.title}-${stamp}.${request.format}`,
      contentType: CONTENT_TYPES[request.format],
      rowsTotal,
      stream: (out, aborted) => this.stream(source, scope, request.format, runKey, out, aborted),
    };
  }

  async run(staff: StaffAccount, runKey: string): Promise<ExportRunView> {
    const run = await this.dataSource.getRepository(ExportRun).findOneBy({ runKey });
    // Another staff member's export is not told apart from none.
    if (!run || run.staffId !== staff.id) throw new DomainError('EXPORT_NOT_FOUND');
    return {
      runKey: run.runKey,
      source: run.source,
      format: run.format,
      status: run.status,
      rowsTotal: run.rowsTotal,
      rowsDone: run.rowsDone,
    };
  }

  private async stream(
    source: ExportSource,
    scope: ExportScope,
    format: ExportFormat,
    runKey: string,
    out: Writable,
    aborted: () => boolean,
  ): Promise<number> {
    const em = this.dataSource.manager;
    const pageRows = this.config.dataTransfer.exportPageRows;
    async function* pages(): AsyncGenerator<ExportCell[][]> {
      let afterKey = 0;
      for (;;) {
        const page = await source.page(em, scope, afterKey, pageRows);
        if (page.rows.length === 0) return;
        yield page.rows;
        afterKey = page.lastKey;
        if (page.rows.length < pageRows) return;
      }
    }
    const progress = async (rowsDone: number) => {
      await em.update(ExportRun, { runKey }, { rowsDone });
    };
    let status: ExportRunStatus = ExportRunStatus.Failed;
    let done = 0;
    try {
      done = await writeTable(out, format, source.title, source.header, pages(), progress, aborted);
      status = aborted() ? ExportRunStatus.Failed : ExportRunStatus.Done;
      return done;
    } finally {
      await em
        .update(ExportRun, { runKey }, { status, finishedAt: this.clock.now(), ...(done > 0 ? { rowsDone: done } : {}) })
        .catch((error: unknown) => this.logger.error({ err: error, runKey }, 'export run not closed'));
    }
  }

  /** The caller's stores (HQ: all, or the one asked for), and the period as instants. */
  private scopeOf(staff: StaffAccount, request: ExportRequest): ExportScope {
    let stores: string[] | null = staff.role === 'admin' ? null : [...staff.stores];
    if (request.storeCode) {
      if (stores && !stores.includes(request.storeCode)) throw new DomainError('FORBIDDEN');
      stores = [request.storeCode];
    }
    const zone = this.config.businessCalendar.timeZone;
    const at = (date: string | undefined, plusDays: number) => {
      if (!date) return null;
      if (!parseCalendarDate(date)) throw new DomainError('VALIDATION_FAILED', [{ path: 'from/to', reason: 'must be YYYY-MM-DD' }]);
      return DateTime.fromISO(date, { zone }).plus({ days: plusDays }).toJSDate();
    };
    return { stores, from: at(request.from, 0), until: at(request.to, 1) };
  }
}
