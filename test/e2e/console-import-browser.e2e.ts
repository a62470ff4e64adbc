/// <reference lib="dom" /> // page callbacks run in the browser
import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { Browser } from 'playwright-core';
import { TestApi } from '../support/api-client';
import { launchChromium, readmeShot } from '../support/browser';
import { consolePage } from '../support/console';
import { startStack, type Stack } from '../support/stack';

/**
 * Issue 18 in the console at 1440×900: HQ uploads a members file on 导入导出, reads the dry run's row-by-row
 * report (in Chinese), imports with progress, and exports the members as CSV and as Excel; the downloads are
 * opened and checked (the imported members, masked phones). A store manager sees the exports of their stores
 * and no import.
 */
describe('the console imports and exports members', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startStack({
      database: 'mariadb',
      serveH5: true,
      staff: [
        { user: 'hq-wang', role: 'admin', name: '王总部' },
        { user: 'mgr-li', role: 'store_manager', name: '李店长', stores: ['S001'] },
      ],
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('HQ: upload → dry-run report → import with progress → CSV and Excel exports opened and checked', async () => {
    const page = await consolePage(browser, stack, 'hq-wang', 'import');
    await page.locator('#member-import').waitFor({ timeout: 20_000 });
    await page.locator('#export-members-csv').waitFor();

    const dir = mkdtempSync(join(tmpdir(), 'console-import-'));
    const file = join(dir, '老会员.csv');
    const rows = ['手机号,姓名,生日,等级,积分,积分有效期,外部编号'];
    for (let i = 0; i < 40; i++)
      rows.push(
        `1380013${String(8000 + i)},会员${i},1990-0${(i % 9) + 1}-15,${i % 2 ? '银卡会员' : '普通会员'},${i * 10},2027-12-31,OLD-${i}`,
      );
    rows.push('1380013,坏号码,,,,,', '13800138001,重复号码,,,,,', '13900000001,负积分,,,-50,,', '13900000002,错生日,1990-02-30,,,,');
    writeFileSync(file, `\uFEFF${rows.join('\r\n')}\r\n`);

    await page.locator('#member-import input[type=file]').setInputFiles(file);
    await page.locator('#import-report').waitFor({ timeout: 20_000 });
    const report = page.locator('#import-rows');
    await report.getByText('手机号格式不正确').waitFor();
    expect(await report.locator('tbody tr').count()).toBe(4);
    for (const reason of ['手机号在文件中重复', '积分不能为负数', '生日不是有效日期'])
      expect(await report.getByText(reason).count()).toBe(1);
    expect(await page.locator('#import-start').innerText()).toContain('开始导入 40 名会员');
    await page.locator('#import-report').scrollIntoViewIfNeeded();
    await readmeShot(page, 'console-import');

    await page.locator('#import-start').click();
    await page.locator('.import-done').waitFor({ timeout: 30_000 });
    expect(await page.locator('.import-done').innerText()).toContain('新增 40 名会员');

    // CSV: the browser's download, opened and read.
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.locator('#export-members-csv').click()]);
    expect(csvDownload.suggestedFilename()).toMatch(/^会员-\d{8}-\d{6}\.csv$/);
    const csvBytes = readFileSync((await csvDownload.path())!);
    expect(csvBytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const csv = parse(csvBytes.toString('utf8'), { bom: true }) as string[][];
    expect(csv[0].slice(0, 4)).toEqual(['会员ID', '手机号', '昵称', '等级']);
    expect(csv).toHaveLength(41);
    expect(csv[1].slice(1, 4)).toEqual(['138****8000', '会员0', '普通会员']);
    expect(csv[2].slice(1, 4)).toEqual(['138****8001', '会员1', '银卡会员']);
    expect(csvBytes.toString('utf8')).not.toContain('13800138000');
    await page.getByText('导出完成，共 40 行').waitFor();

    // Excel: the same rows through exceljs.
    const [xlsxDownload] = await Promise.all([page.waitForEvent('download'), page.locator('#export-members-xlsx').click()]);
    expect(xlsxDownload.suggestedFilename()).toMatch(/^会员-\d{8}-\d{6}\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(readFileSync((await xlsxDownload.path())!) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet.rowCount).toBe(41);
    expect(sheet.getRow(41).getCell(3).value).toBe('会员39');
    expect(sheet.getRow(41).getCell(6).value).toBe(390);
    await page.waitForFunction(() => !document.querySelector('.ant-message-notice'), undefined, { timeout: 15_000 });
    await page.locator('#exports').scrollIntoViewIfNeeded();
    await readmeShot(page, 'console-export');

    // The same file again: every phone a member already, nothing to import.
    await page.locator('#member-import input[type=file]').setInputFiles(file);
    await page.getByText('没有可导入的行').waitFor({ timeout: 20_000 });
    await page.getByText('外部编号已属于其他会员').first().waitFor();
    await page.context().close();
  });

  it('a store manager exports their store’s lists and has no import', async () => {
    const page = await consolePage(browser, stack, 'mgr-li', 'import');
    await page.locator('#exports').waitFor({ timeout: 20_000 });
    await page.getByText('仅导出您门店（S001）的数据').waitFor();
    expect(await page.locator('#member-import').count()).toBe(0);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-purchases-csv').click()]);
    const csv = parse(readFileSync((await download.path())!).toString('utf8'), { bom: true }) as string[][];
    expect(csv).toEqual([
      [
        '消费ID',
        '时间',
        '门店',
        '会员ID',
        '原价(元)',
        '会员价优惠(元)',
        '优惠券抵扣(元)',
        '积分抵扣',
        '实付(元)',
        '获得积分',
        '已退款(元)',
      ],
    ]);
    // The API agrees: no import for a manager.
    const api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    expect((await api.call('GET', '/staff/imports', { token: (await api.login('mgr-li')).token })).body.code).toBe('FORBIDDEN');
    await page.context().close();
  });
});
