/// <reference lib="dom" /> // page callbacks run in the browser
import type { Browser, Page } from 'playwright-core';
import { TestApi } from '../support/api-client';
import { launchChromium, readmeShot, snapshot } from '../support/browser';
import { consolePage } from '../support/console';
import { startStack, type Stack } from '../support/stack';

const POLICY = '2026-11';
const key = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 12)}`;

/**
 * Issue 18, the console's 会员查询 at 1440×900: HQ types a phone's last four digits, sees the members whose
 * numbers end so (masked), opens one, walks the tabs of their history, adjusts their points in a confirming
 * dialog, and finds the adjustment in 积分明细 and 操作记录.
 */
describe('the console finds a member by last four digits and acts on them', () => {
  let stack: Stack;
  let browser: Browser;
  let api: TestApi;
  let shopper: number;

  beforeAll(async () => {
    stack = await startStack({
      database: 'mariadb',
      serveH5: true,
      staff: [
        { user: 'hq-wang', role: 'admin', name: '王总部' },
        { user: 'mb-clerk', role: 'clerk', name: '周店员', stores: ['S001'] },
      ],
    });
    browser = await launchChromium();
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    const clerk = (await api.login('mb-clerk')).token;
    const people = [
      { user: 'mb-li', phone: '13811236666', nickname: '李晓雯', spend: [12_800, 4_650] },
      { user: 'mb-zhang', phone: '13922456666', nickname: '张明', spend: [25_900] },
      { user: 'mb-chen', phone: '15033786666', nickname: '陈静', spend: [] },
      { user: 'mb-other', phone: '13700001234', nickname: '赵强', spend: [3_000] },
    ];
    for (const person of people) {
      const member = await api.joinedMember(person.user, person.phone, POLICY);
      await api.call('PATCH', '/members/me', { token: member.token, body: { nickname: person.nickname } });
      for (const amountFen of person.spend) {
        const code = (await api.call('GET', '/members/me/code', { token: member.token })).body.code as string;
        const bought = await api.call('POST', '/staff/purchases', {
          token: clerk,
          body: { memberCode: code, amountFen, storeCode: 'S001', idempotencyKey: key('mb-buy') },
        });
        expect(bought.status).toBe(200);
      }
      if (person.user === 'mb-li') shopper = member.memberId;
    }
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('searches 6666, opens 李晓雯, switches tabs and adjusts points', async () => {
    const page: Page = await consolePage(browser, stack, 'hq-wang', 'members');
    const box = page.locator('#member-search');
    await box.waitFor({ timeout: 20_000 });
    await box.fill('6666');
    expect(await page.locator('#member-search-mode').innerText()).toBe('按手机尾号查询');
    await box.press('Enter');
    const rows = page.locator('#member-results tbody tr.ant-table-row');
    await rows.first().waitFor({ timeout: 15_000 });
    expect(await rows.count()).toBe(3);
    const listed = await page.locator('#member-results tbody').innerText();
    expect(listed).toContain('138****6666');
    expect(listed).not.toContain('赵强');
    expect(listed).not.toContain('13811236666');
    await readmeShot(page, 'console-members');

    // Nothing found says so.
    await box.fill('0000');
    await box.press('Enter');
    await page.getByText('没有找到符合条件的会员').waitFor({ timeout: 15_000 });
    await box.fill('6666');
    await box.press('Enter');
    await rows.first().waitFor({ timeout: 15_000 });

    await page.locator('#member-results tbody tr', { hasText: '李晓雯' }).click();
    await page.locator('#member-title').waitFor({ timeout: 15_000 });
    expect(await page.locator('#member-title').innerText()).toBe('李晓雯');
    expect(page.url()).toContain(`#/members/${shopper}`);
    await page.locator('#member-purchases tbody tr.ant-table-row').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('#member-purchases tbody tr.ant-table-row').count()).toBe(2);
    const before = Number(await page.locator('#member-points-balance').innerText());

    await page.getByRole('tab', { name: '积分明细' }).click();
    await page.locator('#member-points tbody tr.ant-table-row').first().waitFor({ timeout: 15_000 });
    await page.getByRole('tab', { name: '优惠券' }).click();
    await page.getByText('暂无优惠券').waitFor({ timeout: 15_000 });
    await page.getByRole('tab', { name: '消息' }).click();
    await page.locator('#member-messages').waitFor({ timeout: 15_000 });
    await page.getByRole('tab', { name: '投诉反馈' }).click();
    await page.getByText('暂无投诉或反馈').waitFor({ timeout: 15_000 });

    // 调整积分: a confirming dialog with the points and a reason.
    await page.locator('#member-adjust-points').click();
    await page.locator('#adjust-points-value').fill('200');
    await page.locator('#adjust-points-reason').fill('会员日活动补录');
    await page.getByRole('button', { name: '确认调整' }).click();
    await page.getByText(`已调整 +200 积分，余额 ${before + 200}`).waitFor({ timeout: 15_000 });
    await page.waitForFunction(
      (expected) => document.querySelector('#member-points-balance')?.textContent === String(expected),
      before + 200,
      { timeout: 15_000 },
    );

    await page.getByRole('tab', { name: '操作记录' }).click();
    const audit = page.locator('#member-audit tbody');
    await audit.getByText('调整积分').waitFor({ timeout: 15_000 });
    expect(await audit.innerText()).toContain('查看会员');
    await page.getByRole('tab', { name: '积分明细' }).click();
    await page.locator('#member-points tbody').getByText('积分调整').waitFor({ timeout: 15_000 });
    // The picture without the toast, and with the tab underline arrived under the active tab.
    await page.locator('.ant-message-notice').waitFor({ state: 'detached', timeout: 15_000 });
    await page.waitForFunction(
      () => {
        const bar = document.querySelector('.ant-tabs-ink-bar')?.getBoundingClientRect();
        const tab = document.querySelector('.ant-tabs-tab-active')?.getBoundingClientRect();
        return !!bar && !!tab && Math.abs(bar.left - tab.left) < 2 && Math.abs(bar.width - tab.width) < 2;
      },
      undefined,
      { timeout: 15_000 },
    );
    await readmeShot(page, 'console-member-detail');
    await snapshot(page, 'console-member-detail-points');
  });
});
