import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { StaffAccount } from '../auth/staff.service';
import { DomainError } from '../common/domain-error';
import { issueMemberCode } from '../members/member-code';
import { PurchasesService } from '../orders/purchases.service';
import { TEST_DATABASES } from '../testing/databases';
import { expectInvariants } from '../testing/invariants';
import { startTestApp, type TestApp } from '../testing/test-app';
import { ExportRun } from './data-transfer.entities';
import { ExportRegistry } from './export-registry';
import { ExportService, type ExportRequest } from './export.service';
import { MemberImportService } from './member-import.service';

const admin: StaffAccount = { id: 9201, openid: 'o-export-admin', role: 'admin', name: null, stores: [] };
const manager: StaffAccount = { id: 9202, openid: 'o-export-manager', role: 'store_manager', name: null, stores: ['S002'] };
const clerk: StaffAccount = { id: 9203, openid: 'o-export-clerk', role: 'clerk', name: null, stores: ['S001'] };
const codeOf = (error: unknown) => (error instanceof DomainError ? error.code : error);

describe.each(TEST_DATABASES)('exports on %s', (kind) => {
  let t: TestApp;
  let exports: ExportService;
  let phones: string[];
  let keySeq = 0;

  /** The whole file an export streams, and its run row afterwards. */
  async function download(staff: StaffAccount, source: string, request: ExportRequest) {
    const prepared = await exports.prepare(staff, source, request);
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    const rows = await prepared.stream(out, () => false);
    await new Promise((resolve) => setImmediate(resolve));
    const run = await t.db.dataSource.getRepository(ExportRun).findOneByOrFail({ runKey: prepared.runKey });
    return { prepared, rows, run, bytes: Buffer.concat(chunks) };
  }
  const csvRows = (bytes: Buffer) => parse(bytes.toString('utf8'), { bom: true }) as string[][];
  async function xlsxRows(bytes: Buffer): Promise<unknown[][]> {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    const rows: unknown[][] = [];
    workbook.worksheets[0].eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    return rows;
  }

  beforeAll(async () => {
    t = await startTestApp(kind);
    t.clock.set('2026-06-01T02:00:00Z');
    exports = t.app.get(ExportService);
    // 12 members through the import (so they carry phones, tiers and points), two of them buying at S001 / S002.
    phones = Array.from({ length: 12 }, (_, i) => `1370000${String(1000 + i)}`);
    const imports = t.app.get(MemberImportService);
    const file = ['手机号,姓名,等级,积分', ...phones.map((p, i) => `${p},"会员,${i}号",${i % 2 ? 'silver' : 'normal'},${i * 10}`)].join(
      '\n',
    );
    await imports.runToEnd((await imports.check(admin, 'seed.csv', Buffer.from(file))).job.id);
    const ids = (await t.db.dataSource.query('SELECT id FROM member ORDER BY id')) as Array<{ id: number }>;
    const buy = (memberId: number, storeCode: string) =>
      t.app.get(PurchasesService).record(
        {
          memberCode: issueMemberCode({ secret: t.config.security.memberCodeSecret, ...t.config.memberCode }, memberId, t.clock.now()).code,
          amountFen: 12_345,
          storeCode,
          idempotencyKey: `export-key-${++keySeq}`,
        },
        'o-clerk',
      );
    await buy(Number(ids[0].id), 'S001');
    await buy(Number(ids[1].id), 'S002');
  });
  afterAll(() => t?.close());
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));

  it('members as CSV: UTF-8 with a BOM, Chinese headers, masked phones only, every row, progress recorded', async () => {
    const { bytes, rows, run, prepared } = await download(admin, 'members', { format: 'csv' });
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const parsed = csvRows(bytes);
    expect(parsed[0]).toEqual(['会员ID', '手机号', '昵称', '等级', '生命周期', '积分余额', '生日', '入会时间', '最近消费', '外部编号']);
    expect(parsed).toHaveLength(13);
    expect(rows).toBe(12);
    expect(prepared.rowsTotal).toBe(12);
    expect(run).toMatchObject({ status: 'done', rowsTotal: 12, rowsDone: 12, source: 'members', format: 'csv' });
    // The comma inside a name survives quoting; the tier shows its Chinese name; the joining time is Shanghai's.
    // Member 2 has 10 imported points and 123 earned buying ¥123.45 at S002.
    expect(parsed[2]).toEqual([
      expect.any(String),
      '137****1001',
      '会员,1号',
      '银卡会员',
      'new',
      '133',
      '',
      '2026-06-01 10:00:00',
      expect.any(String),
      '',
    ]);
    const text = bytes.toString('utf8');
    for (const phone of phones) expect(text).not.toContain(phone);
  });

  it('members as XLSX, read back with exceljs: the same rows, numbers as numbers', async () => {
    const { bytes, run } = await download(admin, 'members', { format: 'xlsx' });
    const rows = await xlsxRows(bytes);
    expect(rows).toHaveLength(13);
    expect(rows[0][1]).toBe('手机号');
    expect(rows[12]).toEqual(expect.arrayContaining(['137****1011', '会员,11号', '银卡会员', 110]));
    expect(run).toMatchObject({ status: 'done', rowsDone: 12, format: 'xlsx' });
  });

  it('pages by key: a page size smaller than the list still gives every row once', async () => {
    (t.config.dataTransfer as { exportPageRows: number }).exportPageRows = 100;
    const source = t.app.get(ExportRegistry).find('members', admin)!;
    const seen: number[] = [];
    let after = 0;
    for (;;) {
      const page = await source.page(t.db.dataSource.manager, { stores: null, from: null, until: null }, after, 5);
      if (page.rows.length === 0) break;
      seen.push(...page.rows.map((row) => Number(row[0])));
      after = page.lastKey;
    }
    expect(seen).toHaveLength(12);
    expect(new Set(seen).size).toBe(12);
    (t.config.dataTransfer as { exportPageRows: number }).exportPageRows = 5000;
  });

  it('a store manager gets their stores only; another store is refused; clerks get nothing', async () => {
    const purchases = csvRows((await download(manager, 'purchases', { format: 'csv' })).bytes);
    expect(purchases.slice(1).map((row) => row[2])).toEqual(['S002']);
    expect(purchases[1][4]).toBe('123.45');
    const members = csvRows((await download(manager, 'members', { format: 'csv' })).bytes);
    expect(members).toHaveLength(2); // the one member who bought at S002
    expect(codeOf(await exports.prepare(manager, 'purchases', { format: 'csv', storeCode: 'S001' }).catch((e) => e))).toBe('FORBIDDEN');
    expect(csvRows((await download(admin, 'purchases', { format: 'csv' })).bytes)).toHaveLength(3);
    expect(codeOf(await exports.prepare(clerk, 'members', { format: 'csv' }).catch((e) => e))).toBe('EXPORT_NOT_FOUND');
    expect(exports.sources(clerk)).toEqual([]);
  });

  it('points ledger, coupons and the audit log export; a period narrows them', async () => {
    const ledger = csvRows((await download(admin, 'points-ledger', { format: 'csv' })).bytes);
    expect(ledger[0][3]).toBe('原因');
    expect(ledger.filter((row) => row[3] === 'import')).toHaveLength(11); // the member with 0 points has no line
    expect(csvRows((await download(admin, 'points-ledger', { format: 'csv', from: '2026-06-02' })).bytes)).toHaveLength(1);
    expect(csvRows((await download(admin, 'coupons', { format: 'csv' })).bytes)[0]).toEqual([
      '券ID',
      '券模板',
      '会员ID',
      '状态',
      '领取时间',
      '有效期至',
      '核销时间',
      '核销门店',
    ]);
    expect(csvRows((await download(admin, 'audit-log', { format: 'csv' })).bytes)[0][5]).toBe('操作');
  });

  it('a report registered by another module exports through the same path', async () => {
    t.app.get(ExportRegistry).registerReport({
      name: `tier-report-${kind}`,
      title: '等级分布',
      roles: ['admin'],
      header: ['等级', '人数'],
      rows: async (em) =>
        ((await em.query('SELECT tier, COUNT(*) AS n FROM member GROUP BY tier ORDER BY tier')) as Array<{ tier: string; n: number }>).map(
          (r) => [r.tier, Number(r.n)],
        ),
    });
    const { bytes, run } = await download(admin, `tier-report-${kind}`, { format: 'xlsx' });
    expect(await xlsxRows(bytes)).toEqual([
      ['等级', '人数'],
      ['normal', 6],
      ['silver', 6],
    ]);
    expect(run).toMatchObject({ rowsTotal: 2, rowsDone: 2 });
    expect(codeOf(await exports.prepare(manager, `tier-report-${kind}`, { format: 'csv' }).catch((e) => e))).toBe('EXPORT_NOT_FOUND');
  });

  it('a download the client abandons stops and says so; its run is only its owner’s to see', async () => {
    const prepared = await exports.prepare(admin, 'members', { format: 'csv', run: '6b3c8f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b' });
    const out = new PassThrough();
    out.resume();
    await prepared.stream(out, () => true);
    expect(await exports.run(admin, prepared.runKey)).toMatchObject({ status: 'failed', rowsDone: 0 });
    expect(codeOf(await exports.run(manager, prepared.runKey).catch((e) => e))).toBe('EXPORT_NOT_FOUND');
    expect(codeOf(await exports.prepare(admin, 'members', { format: 'csv', run: prepared.runKey }).catch((e) => e))).toBe(
      'VALIDATION_FAILED',
    );
  });
});
