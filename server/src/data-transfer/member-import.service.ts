import type { AppConfig } from '@member/config';
import {
  IMPORT_PROBLEM_TEXT,
  ImportJobStatus,
  ImportRowStatus,
  type ImportJobView,
  type ImportProblem,
  type ImportRowsResponse,
  type ImportRowView,
} from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { StaffAccount } from '../auth/staff.service';
import { InjectConfig } from '../common/app-config';
import { businessDate, Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { execute, rowsPerStatement, sqlDate, sqlDateValue } from '../database/dialect';
import { isUniqueViolation, TransactionRunner } from '../database/transaction-runner';
import { ImportedTiers } from '../membership/imported-tiers';
import { externalIdKey, membersRepository } from '../members/members.repository';
import { PhoneVault } from '../members/phone-vault';
import { PointsLedger } from '../points/points-ledger';
import { ImportJob, ImportRow } from './data-transfer.entities';
import { readSheet } from './import-file';
import { checkRow, mapHeader, type ImportField } from './import-rows';

/** A chunk that lost unique-key races this many times running stops the import (something else is wrong). */
const MAX_CHUNK_ATTEMPTS = 4;
/** Rows written per INSERT while the dry run stores its verdicts (SQLite allows 999 placeholders a statement). */
const ROWS_PER_INSERT = { mysql: 2000, sqlite: 60 };
/** import_row's columns and the ImportRow fields they hold (job_id apart). */
const IMPORT_ROW_COLUMNS: ReadonlyArray<[string, keyof Omit<ImportRow, 'id' | 'jobId'>]> = [
  ['row_no', 'rowNo'],
  ['status', 'status'],
  ['problems', 'problems'],
  ['phone_cipher', 'phoneCipher'],
  ['phone_hash', 'phoneHash'],
  ['phone_masked', 'phoneMasked'],
  ['name', 'name'],
  ['birthday', 'birthday'],
  ['tier', 'tier'],
  ['points', 'points'],
  ['points_expires_at', 'pointsExpiresAt'],
  ['external_id', 'externalId'],
  ['member_id', 'memberId'],
];
const REPORT_PAGE = 200;

/** import_row's text columns for what the file said (name, external_id): VARCHAR(64), counted in characters. */
const ROW_TEXT_MAX = 64;
/**
 * A value as the report keeps it. Only a row already refused can be longer than its column (a name over 32
 * characters, an external id over 64): it is kept cut short with an ellipsis, so one such cell makes its row
 * invalid instead of failing the whole dry run on MySQL ("Data too long"; SQLite would have kept it whole).
 */
const forTheReport = (value: string | null): string | null =>
  value === null || [...value].length <= ROW_TEXT_MAX ? value : `${[...value].slice(0, ROW_TEXT_MAX - 1).join('')}…`;

/** Test and bench hooks: called after each committed chunk (a test throws here to play a crash). */
export interface ImportHooks {
  afterChunk?: (chunk: number) => void | Promise<void>;
}

/**
 * Members from a file (issue 18). Upload → dry run: every row judged and stored with its verdict (the phone only
 * sealed and hashed, as an app join keeps it), nothing imported. Then the import, chunk by chunk: each chunk's
 * members, their opening points (the ledger, with the file's expiry), their tiers (membership) and the job's
 * resume point commit in ONE transaction, so a crash loses at most the chunk in flight, which the resumed import
 * does again from the last committed row. A phone already a member is skipped (the unique phone hash would refuse
 * it anyway), so importing the same file twice, or resuming, never makes a member or their points twice.
 */
@Injectable()
export class MemberImportService {
  private readonly logger = new Logger(MemberImportService.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    private readonly vault: PhoneVault,
    private readonly ledger: PointsLedger,
    private readonly tiers: ImportedTiers,
  ) {}

  get maxBytes(): number {
    return this.config.dataTransfer.importMaxBytes;
  }

  /** The dry run: reads and judges every row, stores the verdicts, imports nothing. Answers the report's first page. */
  async check(staff: StaffAccount, fileName: string, bytes: Buffer): Promise<ImportRowsResponse> {
    if (bytes.length > this.maxBytes) throw new DomainError('IMPORT_FILE_TOO_LARGE');
    const sheet = await readSheet(bytes, this.config.dataTransfer.importMaxRows);
    const columns = mapHeader(sheet.header);
    if (!columns) throw new DomainError('IMPORT_FILE_INVALID', undefined, { reason: 'no phone column' });
    const now = this.clock.now();
    const rules = {
      tiers: this.config.tiers,
      timeZone: this.config.businessCalendar.timeZone,
      now,
      defaultExpiry: this.ledger.expiryFor(now),
    };

    const rows: Array<Omit<ImportRow, 'id' | 'jobId'>> = [];
    const phoneRow = new Map<string, number>();
    const externalRow = new Map<string, number>();
    for (const [index, cells] of sheet.rows.entries()) {
      const rowNo = index + 2;
      const fields = Object.fromEntries(
        (Object.entries(columns) as Array<[ImportField, number]>).map(([field, column]) => [field, cells[column] ?? '']),
      );
      const checked = checkRow(fields, rules);
      const problems = [...checked.problems];
      let phoneHash: string | null = null;
      let phoneCipher: string | null = null;
      let phoneMasked: string | null = null;
      if (checked.phone) {
        const normalized = PhoneVault.normalize('86', checked.phone);
        phoneHash = this.vault.lookupHash(normalized);
        if (phoneRow.has(phoneHash)) problems.push('DUPLICATE_PHONE_IN_FILE');
        else phoneRow.set(phoneHash, rowNo);
        phoneCipher = this.vault.seal(normalized);
        phoneMasked = PhoneVault.mask(checked.phone);
      }
      if (checked.externalId) {
        // `VIP-1` and `vip-1` are one id to the member table's unique index (externalIdKey).
        const externalKey = externalIdKey(checked.externalId);
        if (externalRow.has(externalKey)) problems.push('DUPLICATE_EXTERNAL_ID_IN_FILE');
        else externalRow.set(externalKey, rowNo);
      }
      rows.push({
        rowNo,
        status: problems.length > 0 ? ImportRowStatus.Invalid : ImportRowStatus.Valid,
        problems: problems.length > 0 ? problems.join(',') : null,
        phoneCipher,
        phoneHash,
        phoneMasked,
        name: forTheReport(checked.name),
        birthday: checked.birthday,
        tier: checked.tier,
        points: checked.points,
        pointsExpiresAt: checked.pointsExpiresAt,
        externalId: forTheReport(checked.externalId),
        memberId: null,
      });
    }

    // What only the database knows: phones that are members already (skipped), external ids another member has.
    const em = this.dataSource.manager;
    const takenPhones = await membersRepository.phoneHashesTaken(em, [...phoneRow.keys()]);
    const takenExternal = await membersRepository.externalIdsTaken(em, [...externalRow.keys()]);
    for (const row of rows) {
      if (row.status !== ImportRowStatus.Valid) continue;
      if (row.externalId && takenExternal.has(externalIdKey(row.externalId))) {
        row.status = ImportRowStatus.Invalid;
        row.problems = 'EXTERNAL_ID_TAKEN';
      } else if (row.phoneHash && takenPhones.has(row.phoneHash)) {
        row.status = ImportRowStatus.Existing;
        row.problems = 'ALREADY_MEMBER';
      }
    }

    const count = (status: ImportRowStatus) => rows.filter((row) => row.status === status).length;
    const jobId = await this.transactions.run(async (tx) => {
      const inserted = await tx.insert(ImportJob, {
        staffId: staff.id,
        fileName: fileName.slice(0, 200),
        status: ImportJobStatus.Checked,
        rowsTotal: rows.length,
        rowsValid: count(ImportRowStatus.Valid),
        rowsInvalid: count(ImportRowStatus.Invalid),
        rowsExisting: count(ImportRowStatus.Existing),
        rowsImported: 0,
        cursorRow: 0,
        lockedUntil: null,
        createdAt: now,
        finishedAt: null,
      });
      const id = Number(inserted.identifiers[0].id);
      // Plain multi-row INSERTs: TypeORM's entity insert cost ~100 µs a row, most of a 100,000-row dry run.
      const columns = IMPORT_ROW_COLUMNS.map(([column]) => column);
      const perInsert = rowsPerStatement(tx, ROWS_PER_INSERT, columns.length + 1);
      const tuple = `(?, ${columns.map(() => '?').join(', ')})`;
      for (let i = 0; i < rows.length; i += perInsert) {
        const batch = rows.slice(i, i + perInsert);
        await tx.query(
          `INSERT INTO import_row (job_id, ${columns.join(', ')}) VALUES ${batch.map(() => tuple).join(', ')}`,
          batch.flatMap((row) => [
            id,
            ...IMPORT_ROW_COLUMNS.map(([, field]) => {
              const value = row[field];
              return value instanceof Date ? sqlDate(tx, value) : value;
            }),
          ]),
        );
      }
      return id;
    });
    this.logger.log({ jobId, staffId: staff.id, rows: rows.length }, 'member import checked');
    return this.rows(jobId, { afterRow: 0, problemsOnly: true });
  }

  async job(jobId: number): Promise<ImportJobView> {
    const job = await this.dataSource.getRepository(ImportJob).findOneBy({ id: jobId });
    if (!job) throw new DomainError('IMPORT_NOT_FOUND');
    return toJobView(job);
  }

  async recentJobs(): Promise<ImportJobView[]> {
    const jobs = await this.dataSource.getRepository(ImportJob).find({ order: { id: 'DESC' }, take: 20 });
    return jobs.map(toJobView);
  }

  /** The report, a page at a time in file order: every row, or only those refused or skipped. */
  async rows(jobId: number, query: { afterRow: number; problemsOnly: boolean; limit?: number }): Promise<ImportRowsResponse> {
    const job = await this.job(jobId);
    const limit = Math.min(query.limit ?? REPORT_PAGE, REPORT_PAGE);
    const builder = this.dataSource
      .getRepository(ImportRow)
      .createQueryBuilder('r')
      .where('r.job_id = :jobId AND r.row_no > :afterRow', { jobId, afterRow: query.afterRow })
      .orderBy('r.row_no', 'ASC')
      .take(limit + 1);
    if (query.problemsOnly) builder.andWhere('r.problems IS NOT NULL');
    const found = await builder.getMany();
    const page = found.slice(0, limit);
    return {
      job,
      rows: page.map((row) => toRowView(row, this.config)),
      nextAfterRow: found.length > limit ? page[page.length - 1].rowNo : null,
    };
  }

  /**
   * Starts (or resumes) the import and answers at once; it runs on in the background while the console polls
   * `job`. Refused while another worker holds the lease; a finished import answers as it is (nothing twice).
   */
  async start(jobId: number): Promise<ImportJobView> {
    if (!(await this.claim(jobId))) {
      const job = await this.job(jobId);
      if (job.status === ImportJobStatus.Done) return job;
      throw new DomainError('IMPORT_RUNNING');
    }
    void this.importChunks(jobId).catch((error: unknown) => this.logger.error({ err: error, jobId }, 'member import stopped'));
    return this.job(jobId);
  }

  /** Claims and runs the import to its end, awaited (tests, the bench, the CLI). */
  async runToEnd(jobId: number, hooks: ImportHooks = {}): Promise<ImportJobView> {
    if (!(await this.claim(jobId))) {
      const job = await this.job(jobId);
      if (job.status === ImportJobStatus.Done) return job;
      throw new DomainError('IMPORT_RUNNING');
    }
    await this.importChunks(jobId, hooks);
    return this.job(jobId);
  }

  /** Takes the job's lease: a checked job, or one whose worker stopped renewing it (crashed). */
  private async claim(jobId: number): Promise<boolean> {
    const em = this.dataSource.manager;
    const now = this.clock.now();
    return (
      (await execute(
        em,
        `UPDATE import_job SET status = ?, locked_until = ?
          WHERE id = ? AND (status = ? OR (status = ? AND (locked_until IS NULL OR locked_until < ?)))`,
        [
          ImportJobStatus.Importing,
          sqlDate(em, this.leaseEnd(now)),
          jobId,
          ImportJobStatus.Checked,
          ImportJobStatus.Importing,
          sqlDate(em, now),
        ],
      )) === 1
    );
  }

  private leaseEnd(now: Date): Date {
    return new Date(now.getTime() + this.config.dataTransfer.importLeaseSeconds * 1000);
  }

  private async importChunks(jobId: number, hooks: ImportHooks = {}): Promise<void> {
    for (let chunk = 1; ; chunk++) {
      const finished = await this.importChunkJudgedAgain(jobId);
      if (finished) return;
      await hooks.afterChunk?.(chunk);
    }
  }

  /**
   * One chunk, judged again when it lost a race on a unique key: a phone (or an external id) that a WeChat join
   * took after the chunk checked it fails the INSERT and rolls the chunk back; run again, the chunk finds it taken
   * and skips that row. Without this the import stopped there, its job left importing until its lease ran out.
   */
  private async importChunkJudgedAgain(jobId: number): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transactions.run((em) => this.importChunk(em, jobId));
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= MAX_CHUNK_ATTEMPTS) throw error;
        this.logger.warn({ jobId, attempt }, 'import chunk lost a race on a unique key: judged again');
      }
    }
  }

  /** One chunk after the job's cursor, in the caller's transaction. Answers true when there was nothing left. */
  private async importChunk(em: EntityManager, jobId: number): Promise<boolean> {
    const now = this.clock.now();
    const job = await em.findOneBy(ImportJob, { id: jobId });
    if (!job || job.status !== ImportJobStatus.Importing) return true;
    const cursor = job.cursorRow;
    // Plain SQL: hydrating 1,000 entities a chunk was a seventh of the import's time.
    const raw: Array<Record<string, unknown>> = await em.query(
      `SELECT id, row_no AS rowNo, status, phone_cipher AS phoneCipher, phone_hash AS phoneHash, phone_masked AS phoneMasked,
              name, birthday, tier, points, points_expires_at AS pointsExpiresAt, external_id AS externalId
         FROM import_row WHERE job_id = ? AND row_no > ? ORDER BY row_no LIMIT ${Number(this.config.dataTransfer.importChunkRows)}`,
      [jobId, cursor],
    );
    const rows = raw.map(
      (r) =>
        ({
          ...r,
          id: Number(r.id),
          rowNo: Number(r.rowNo),
          points: Number(r.points),
          pointsExpiresAt: r.pointsExpiresAt === null ? null : sqlDateValue(r.pointsExpiresAt as Date | string),
        }) as ImportRow,
    );

    if (rows.length === 0) {
      const ended = await execute(
        em,
        'UPDATE import_job SET status = ?, locked_until = NULL, finished_at = ? WHERE id = ? AND cursor_row = ? AND status = ?',
        [ImportJobStatus.Done, sqlDate(em, now), jobId, cursor, ImportJobStatus.Importing],
      );
      if (ended === 1) this.logger.log({ jobId, imported: job.rowsImported }, 'member import done');
      return true;
    }

    // Judged again against the members of now: someone may have joined in the app with one of these phones since
    // the dry run (or an earlier run of this very file imported them).
    const valid = rows.filter((row) => row.status === ImportRowStatus.Valid);
    const takenPhones = await membersRepository.phoneHashesTaken(
      em,
      valid.map((row) => row.phoneHash!),
    );
    const takenExternal = await membersRepository.externalIdsTaken(
      em,
      valid.flatMap((row) => (row.externalId ? [row.externalId] : [])),
    );
    const existing = valid.filter((row) => takenPhones.has(row.phoneHash!));
    const refused = valid.filter(
      (row) => !takenPhones.has(row.phoneHash!) && row.externalId && takenExternal.has(externalIdKey(row.externalId)),
    );
    const fresh = valid.filter((row) => !existing.includes(row) && !refused.includes(row));

    const today = businessDate(now, this.config.businessCalendar.timeZone);
    const ids = await membersRepository.insertImported(
      em,
      fresh.map((row) => ({
        phoneCipher: row.phoneCipher!,
        phoneHash: row.phoneHash!,
        phoneMasked: row.phoneMasked!,
        nickname: row.name,
        birthday: row.birthday,
        externalId: row.externalId,
      })),
      now,
      today,
    );
    const memberOf = (row: ImportRow) => ids.get(row.phoneHash!)!;
    await this.tiers.assign(
      em,
      fresh.map((row) => ({ memberId: memberOf(row), tier: row.tier ?? this.config.tiers[0].code })),
      now,
    );
    await this.ledger.openImportedBalances(
      em,
      fresh.map((row) => ({
        memberId: memberOf(row),
        points: row.points,
        expiresAt: row.pointsExpiresAt ?? this.ledger.expiryFor(now),
        // One opening balance per member, ever: a replayed chunk fails here rather than credit twice.
        sourceKey: `import:member:${memberOf(row)}`,
      })),
      now,
    );

    await this.markRows(em, ImportRowStatus.Imported, null, fresh, memberOf);
    await this.markRows(em, ImportRowStatus.Existing, 'ALREADY_MEMBER', existing);
    await this.markRows(em, ImportRowStatus.Invalid, 'EXTERNAL_ID_TAKEN', refused);

    // The resume point moves with the chunk, conditional on the cursor read: a worker that lost its lease (it
    // stalled and another resumed the job) finds it moved, and its whole chunk rolls back.
    const moved = await execute(
      em,
      `UPDATE import_job SET cursor_row = ?, rows_imported = rows_imported + ?, rows_existing = rows_existing + ?,
          rows_valid = rows_valid - ?, rows_invalid = rows_invalid + ?, locked_until = ?
        WHERE id = ? AND cursor_row = ? AND status = ?`,
      [
        rows[rows.length - 1].rowNo,
        fresh.length,
        existing.length,
        existing.length + refused.length,
        refused.length,
        sqlDate(em, this.leaseEnd(now)),
        jobId,
        cursor,
        ImportJobStatus.Importing,
      ],
    );
    if (moved !== 1) throw new DomainError('IMPORT_RUNNING');
    return false;
  }

  private async markRows(
    em: EntityManager,
    status: ImportRowStatus,
    problem: ImportProblem | null,
    rows: readonly ImportRow[],
    memberOf?: (row: ImportRow) => number,
  ): Promise<void> {
    for (let i = 0; i < rows.length; i += 250) {
      const batch = rows.slice(i, i + 250);
      const memberCase = memberOf ? `CASE id ${batch.map(() => 'WHEN ? THEN ?').join(' ')} END` : 'member_id';
      await em.query(
        `UPDATE import_row SET status = ?, problems = COALESCE(?, problems), member_id = ${memberCase}
          WHERE id IN (${batch.map(() => '?').join(', ')})`,
        [status, problem, ...(memberOf ? batch.flatMap((row) => [row.id, memberOf(row)]) : []), ...batch.map((row) => row.id)],
      );
    }
  }
}

function toJobView(job: ImportJob): ImportJobView {
  return {
    id: job.id,
    fileName: job.fileName,
    status: job.status,
    rowsTotal: job.rowsTotal,
    rowsValid: job.rowsValid,
    rowsInvalid: job.rowsInvalid,
    rowsExisting: job.rowsExisting,
    rowsImported: job.rowsImported,
    cursorRow: job.cursorRow,
    createdAt: job.createdAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

function toRowView(row: ImportRow, config: AppConfig): ImportRowView {
  const codes = (row.problems ? row.problems.split(',') : []) as ImportProblem[];
  return {
    rowNo: row.rowNo,
    status: row.status,
    phoneMasked: row.phoneMasked,
    name: row.name,
    birthday: row.birthday,
    tier: row.tier,
    tierName: config.tiers.find((tier) => tier.code === row.tier)?.name ?? null,
    points: row.points,
    pointsExpiresOn: row.pointsExpiresAt ? businessDate(row.pointsExpiresAt, config.businessCalendar.timeZone) : null,
    externalId: row.externalId,
    problems: codes.map((code) => ({ code, message: IMPORT_PROBLEM_TEXT[code] })),
    memberId: row.memberId,
  };
}
