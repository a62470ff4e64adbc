import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { TestApi } from '../support/api-client';
import { invariantsAfterEach } from '../support/invariants';
import { startStack, type Stack } from '../support/stack';

const POLICY = '2026-11';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Chunks of 100 rows, so a 20,000-row file is 200 transactions and a kill lands in the middle of it. */
function configFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'transfer-e2e-')), 'config.json');
  writeFileSync(file, JSON.stringify({ dataTransfer: { importChunkRows: 100, importLeaseSeconds: 30 } }));
  return file;
}

/**
 * Issue 18 over real HTTP, two server processes on one MariaDB: an admin uploads a members file (dry run report),
 * imports it, exports the members as CSV and XLSX and reads them back; a big import is killed mid-way (SIGKILL)
 * and resumed on the other instance once the dead worker's lease ran out, importing every row exactly once; the
 * same file again imports nothing; an imported member logs in with WeChat, binds the phone and is that member.
 */
describe('exports and member imports end to end', () => {
  let stack: Stack;
  invariantsAfterEach(() => stack);
  let api: TestApi;
  let admin: string;
  let manager: string;
  let clerk: string;

  beforeAll(async () => {
    stack = await startStack({
      database: 'mariadb',
      extraInstances: 1,
      env: { CONFIG_FILE: configFile() },
      staff: [
        { user: 'dt-admin', role: 'admin' },
        { user: 'dt-manager', role: 'store_manager', stores: ['S001'] },
        { user: 'dt-clerk', role: 'clerk', stores: ['S001'] },
      ],
    });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    admin = (await api.login('dt-admin')).token;
    manager = (await api.login('dt-manager')).token;
    clerk = (await api.login('dt-clerk')).token;
  });
  afterAll(() => stack?.stop());

  async function upload(base: string, token: string, content: Buffer, name = 'members.csv') {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(content)]), name);
    const response = await fetch(`${base}/api/staff/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    return { status: response.status, body: (await response.json()) as any };
  }
  async function until(base: string, id: number, done: (job: any) => boolean) {
    for (let i = 0; i < 600; i++) {
      const job = (await new TestApi(base, stack.emulatorUrl, stack.appid).call('GET', `/staff/imports/${id}`, { token: admin })).body;
      if (done(job)) return job;
      await sleep(50);
    }
    throw new Error(`import ${id} did not get there`);
  }
  async function download(base: string, token: string, path: string) {
    const response = await fetch(`${base}/api/staff/exports/${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
  }

  it('dry run, import, then the members export read back as CSV and XLSX (masked phones, progress by run)', async () => {
    const file = Buffer.from(
      [
        '手机号,姓名,生日,等级,积分,积分有效期,外部编号',
        '13600000001,张三,1990-05-17,银卡会员,1200,2027-03-31,HQ-1',
        '13600000002,李四,,,,,',
        '1360000000X,坏号,,,,,',
        '13600000002,重复,,,,,',
        '13600000004,负分,,,-3,,',
      ].join('\n'),
    );
    expect((await upload(stack.serverUrl, manager, file)).body.code).toBe('FORBIDDEN');
    expect((await upload(stack.serverUrl, clerk, file)).body.code).toBe('FORBIDDEN');
    const checked = await upload(stack.serverUrl, admin, file);
    expect(checked.status).toBe(200);
    expect(checked.body.job).toMatchObject({ status: 'checked', rowsTotal: 5, rowsValid: 2, rowsInvalid: 3 });
    expect(checked.body.rows.map((r: any) => [r.rowNo, r.problems.map((p: any) => p.message)])).toEqual([
      [4, ['手机号格式不正确（应为 11 位中国大陆手机号）']],
      [5, ['手机号在文件中重复']],
      [6, ['积分不能为负数']],
    ]);
    const id = checked.body.job.id as number;
    const started = await api.call('POST', `/staff/imports/${id}/start`, { token: admin });
    expect(started.status).toBe(200);
    expect(await until(stack.serverUrl, id, (job) => job.status === 'done')).toMatchObject({ rowsImported: 2 });

    // CSV, with a run id the console polls.
    const run = '0f6e5d4c-3b2a-4190-8877-665544332211';
    const csv = await download(stack.serverUrl, admin, `members?format=csv&run=${run}`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('x-export-rows')).toBe('2');
    expect(decodeURIComponent(csv.headers.get('content-disposition')!)).toMatch(/filename\*=UTF-8''会员-\d{8}-\d{6}\.csv/);
    expect(csv.bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const rows = parse(csv.bytes.toString('utf8'), { bom: true }) as string[][];
    expect(rows.map((r) => r.slice(1, 4))).toEqual([
      ['手机号', '昵称', '等级'],
      ['136****0001', '张三', '银卡会员'],
      ['136****0002', '李四', '普通会员'],
    ]);
    expect(csv.bytes.toString('utf8')).not.toContain('13600000001');
    expect((await api.call('GET', `/staff/exports/runs/${run}`, { token: admin })).body).toMatchObject({
      status: 'done',
      rowsTotal: 2,
      rowsDone: 2,
    });

    const xlsx = await download(stack.serverUrl, admin, 'members?format=xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet.name).toBe('会员');
    expect(sheet.getRow(2).getCell(2).value).toBe('136****0001');
    expect(sheet.getRow(2).getCell(6).value).toBe(1200);

    // Clerks may not export; the sources a manager may use are listed for the console.
    expect((await download(stack.serverUrl, clerk, 'members?format=csv')).status).toBe(403);
    expect((await api.call('GET', '/staff/exports', { token: manager })).body.map((s: any) => s.name)).toEqual(
      expect.arrayContaining(['members', 'purchases', 'points-ledger', 'coupons', 'audit-log']),
    );
    // The download is in the audit log, with its source.
    const audit = parse((await download(stack.serverUrl, admin, 'audit-log?format=csv')).bytes.toString('utf8'), {
      bom: true,
    }) as string[][];
    expect(audit.some((r) => r[5] === 'export' && r[7] === 'members' && r[6] === 'ok')).toBe(true);
  });

  it('a killed import resumes on another instance after the lease, every row once; the same file again imports nothing', async () => {
    const phones = Array.from({ length: 20_000 }, (_, i) => `135${String(i).padStart(8, '0')}`);
    const file = Buffer.from(['手机号,积分', ...phones.map((p, i) => `${p},${(i % 7) * 10}`)].join('\n'));
    const checked = await upload(stack.serverUrl, admin, file);
    expect(checked.body.job).toMatchObject({ rowsTotal: 20_000, rowsValid: 20_000 });
    const id = checked.body.job.id as number;
    await api.call('POST', `/staff/imports/${id}/start`, { token: admin });
    const midway = await until(stack.serverUrl, id, (job) => job.cursorRow > 0);
    await stack.killServer();
    expect(midway.status).toBe('importing');

    const other = stack.extraServerUrls[0];
    const otherApi = new TestApi(other, stack.emulatorUrl, stack.appid);
    const killedAt = (await otherApi.call('GET', `/staff/imports/${id}`, { token: admin })).body;
    expect(killedAt.status).toBe('importing');
    expect(killedAt.rowsImported).toBeLessThan(20_000);
    expect(killedAt.rowsImported).toBe(killedAt.cursorRow - 1);
    // The dead worker's lease still runs: the other instance waits for it.
    expect((await otherApi.call('POST', `/staff/imports/${id}/start`, { token: admin })).body.code).toBe('IMPORT_RUNNING');
    const { now } = (await otherApi.call('GET', '/test/clock')).body;
    await otherApi.call('POST', '/test/clock', { body: { now: new Date(Date.parse(now) + 60_000).toISOString() } });
    expect((await otherApi.call('POST', `/staff/imports/${id}/start`, { token: admin })).status).toBe(200);
    expect(await until(other, id, (job) => job.status === 'done')).toMatchObject({
      rowsImported: 20_000,
      rowsExisting: 0,
      cursorRow: 20_001,
    });

    const members = await download(other, admin, 'members?format=csv');
    expect(Number(members.headers.get('x-export-rows'))).toBe(20_002);
    const ledger = await download(other, admin, 'points-ledger?format=csv');
    const expectedLines = phones.filter((_, i) => i % 7 !== 0).length + 1; // + 张三's from the first test
    expect(Number(ledger.headers.get('x-export-rows'))).toBe(expectedLines);

    const again = await upload(other, admin, file);
    expect(again.body.job).toMatchObject({ rowsValid: 0, rowsExisting: 20_000 });
    await otherApi.call('POST', `/staff/imports/${again.body.job.id}/start`, { token: admin });
    expect(await until(other, again.body.job.id, (job) => job.status === 'done')).toMatchObject({ rowsImported: 0 });
    expect(Number((await download(other, admin, 'members?format=csv')).headers.get('x-export-rows'))).toBe(20_002);
  }, 120_000);

  it('an imported member logs in with WeChat and binds the same phone: the same member, with their points', async () => {
    const other = new TestApi(stack.extraServerUrls[0], stack.emulatorUrl, stack.appid);
    const session = await other.login('dt-returning');
    const joined = await other.call('POST', '/members/me/join', {
      token: session.token,
      body: { privacyAccepted: true, privacyPolicyVersion: POLICY, phoneCode: await other.phoneCode('dt-returning', '13600000001') },
    });
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({ joined: true, phoneMasked: '136****0001', nickname: '张三', birthday: '1990-05-17' });
    expect(joined.body.id).not.toBe(session.member.id);
    // The old token was the empty visitor row's: refused, so the mini-program logs in again and lands on the member.
    expect((await other.call('GET', '/members/me', { token: session.token })).body.code).toBe('SESSION_REVOKED');
    const again = await other.login('dt-returning');
    expect(again.member).toMatchObject({ id: joined.body.id, joined: true });
    const card = await other.call('GET', '/members/me/card', { token: again.token });
    expect(card.body).toMatchObject({ member: { id: joined.body.id }, pointsBalance: 1200, tier: { code: 'silver' } });
  });
});
