import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { TestApi } from '../support/api-client';
import { answerSubscribeSheet, h5, launchChromium, phonePage, readmeShot, SCREENSHOT_DIR, snapshot } from '../support/browser';
import { invariantsAfterEach } from '../support/invariants';
import { REPO_ROOT } from '../support/processes';
import { startStack, type Stack } from '../support/stack';

const POLICY = '2026-11';
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/**
 * 投诉与反馈 in the H5 build at 390×844: a shopper raises a complaint with a photo from 我的 → 意见反馈 and
 * allows 服务进度提醒; HQ finds it in the queue behind an overdue till case, replies, and resolves it with 300
 * points and a reason; the shopper sees the reply and the goodwill and rates it; HQ adjusts points by hand and
 * reads the report.
 */
describe('service recovery in the mini-program H5', () => {
  let stack: Stack;
  invariantsAfterEach(() => stack);
  let browser: Browser;
  let api: TestApi;
  const { open, on, text } = h5(() => stack.serverUrl);
  const key = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
  const clock = async (iso: string) => expect((await api.call('POST', '/test/clock', { body: { now: iso } })).status).toBe(200);

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'miniprogram', 'dist', 'h5', 'index.html'))) throw new Error('build the H5 first: npm run build');
    stack = await startStack({
      database: 'mariadb',
      serveH5: true,
      staff: [
        { user: 'fbb-clerk', role: 'clerk', name: '周店员', stores: ['S001'] },
        { user: 'fbb-hq', role: 'admin', name: '总部客服' },
      ],
    });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    browser = await launchChromium();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** Waits for the element's text to contain `expected` (the page reloads quietly after an action). */
  async function shows(page: Page, selector: string, expected: string): Promise<void> {
    await on(page, selector).waitFor({ timeout: 15_000 });
    await page.waitForFunction(
      ([sel, want]) => [...document.querySelectorAll(sel)].some((el) => (el.textContent ?? '').includes(want)),
      [selector, expected] as const,
      { timeout: 15_000 },
    );
  }

  it('a member complains with a photo; HQ replies and gives goodwill from the queue; the member sees it and rates', async () => {
    await clock('2026-12-02T10:00:00+08:00');
    // A till case logged an hour and more ago: it must come first in the queue, marked 已超时.
    const regular = await api.joinedMember('fbb-regular', '13600007777', POLICY);
    const clerkToken = (await api.login('fbb-clerk')).token;
    const code = (await api.call('GET', '/members/me/code', { token: regular.token })).body.code as string;
    const ticket = (await api.call('POST', '/staff/member-code/verify', { token: clerkToken, body: { code } })).body.tillTicket as string;
    const tillCase = await api.call('POST', '/staff/feedback', {
      token: clerkToken,
      body: { kind: 'complaint', category: 'quality', text: '鲜奶临期仍在售卖', tillTicket: ticket, idempotencyKey: key('till') },
    });
    expect(tillCase.status).toBe(200);

    // The shopper: 我的 → 意见反馈 → 提交反馈或投诉.
    await clock('2026-12-02T10:20:00+08:00');
    await api.joinedMember('fbb-lin', '13600008888', POLICY);
    const shopper = await phonePage(browser);
    await open(shopper, 'fbb-lin', 'pages/mine/index');
    await on(shopper, '#mine-feedback').click();
    await on(shopper, '#feedback-page-empty').waitFor({ timeout: 15_000 });
    await snapshot(shopper, 'feedback-01-empty');
    await on(shopper, '#feedback-new').click();
    await on(shopper, '#fb-category-service').click();
    await on(shopper, '#fb-text textarea').fill('今天下午在收银台排队二十分钟，收银员态度冷淡，还多收了一袋的钱。');
    const dir = mkdtempSync(join(tmpdir(), 'feedback-'));
    const png = join(dir, 'receipt.png');
    writeFileSync(png, Buffer.from(PNG, 'base64'));
    const chooser = shopper.waitForEvent('filechooser');
    await on(shopper, '#fb-photo-add').click();
    await (await chooser).setFiles(png);
    await on(shopper, '.feedback-new__photos img').waitFor({ timeout: 15_000 });
    await snapshot(shopper, 'feedback-02-new');
    await readmeShot(shopper, 'feedback-new');
    await on(shopper, '#fb-submit').click();
    await answerSubscribeSheet(shopper, '允许');
    await shows(shopper, '#feedback-status', '待回复');
    await on(shopper, '.feedback-thread__photo img').waitFor({ timeout: 15_000 });
    await snapshot(shopper, 'feedback-03-raised');
    const mine = await api.call('GET', '/feedback', { token: (await api.login('fbb-lin')).token });
    const caseId = mine.body.cases[0].id as number;
    expect(mine.body.cases[0]).toMatchObject({ channel: 'online', status: 'open', category: 'service' });

    // HQ, past both deadlines: the till case (due 11:00) first, then the online one (due 10:50).
    await clock('2026-12-02T11:05:00+08:00');
    const hq = await phonePage(browser);
    await open(hq, 'fbb-hq', 'staff/feedback/index');
    await on(hq, '#queue-list').waitFor({ timeout: 15_000 });
    const order = await hq
      .locator('#queue-list >> visible=true')
      .locator('.queue-row')
      .evaluateAll((rows) => rows.map((r) => r.id));
    expect(order).toEqual([`queue-${caseId}`, `queue-${tillCase.body.id as number}`]);
    expect(await text(hq, `#queue-${caseId}-status`)).toBe('已超时');
    await snapshot(hq, 'feedback-04-queue');
    await readmeShot(hq, 'feedback-queue');

    await on(hq, `#queue-${caseId}`).click();
    await on(hq, '#case-reply textarea').fill('非常抱歉给您带来不好的体验，多收的款项已核实，将原路退回。');
    await on(hq, '#case-reply-send').click();
    await shows(hq, '#feedback-messages', '原路退回');
    await on(hq, '#case-resolution textarea').fill('已退回多收款项，并对当班收银员进行服务培训。');
    await on(hq, '#case-goodwill-points').click();
    await on(hq, '#case-points input').fill('300');
    await on(hq, '#case-reason input').fill('收银多收款，服务态度补偿');
    await snapshot(hq, 'feedback-05-resolve-form');
    await on(hq, '#case-resolve').click();
    await shows(hq, '#feedback-goodwill', '补偿 300 积分');
    await snapshot(hq, 'feedback-06-resolved');

    // The shopper sees the reply, the result and the goodwill, and rates it.
    await open(shopper, 'fbb-lin', `pages/feedback-detail/index?id=${caseId}`);
    await shows(shopper, '#feedback-status', '已解决');
    expect(await text(shopper, '#feedback-messages')).toContain('原路退回');
    expect(await text(shopper, '#feedback-goodwill')).toBe('补偿 300 积分');
    await on(shopper, '#feedback-star-5').click();
    await on(shopper, '#feedback-rate-comment textarea').fill('处理及时，态度诚恳');
    await snapshot(shopper, 'feedback-07-rate');
    await on(shopper, '#feedback-rate-submit').click();
    await shows(shopper, '#feedback-rating', '非常满意');
    await snapshot(shopper, 'feedback-08-rated');
    await readmeShot(shopper, 'feedback-detail');
    const card = await api.call('GET', '/members/me/card', { token: (await api.login('fbb-lin')).token });
    expect(card.body.pointsBalance).toBe(300);
    // The member asked for 服务进度提醒 in the tap: the reply and the resolution are queued for them.
    const outbox = await api.call('GET', '/admin/audit-log?limit=20&action=feedback.resolve', { token: (await api.login('fbb-hq')).token });
    expect(outbox.body.entries[0]).toMatchObject({ outcome: 'ok', points: 300 });
  });

  it('a clerk logs a complaint at the till for the member just identified, and answers it', async () => {
    // The server's clock at the real time, so the device and the server agree on the till ticket's ten minutes.
    await clock(new Date().toISOString());
    const shopper = await api.joinedMember('fbb-till-wu', '13600006666', POLICY);
    const code = (await api.call('GET', '/members/me/code', { token: shopper.token })).body.code as string;
    const clerk = await phonePage(browser);
    await open(clerk, 'fbb-clerk', 'staff/home/index');
    await on(clerk, '#staff-code-input input').waitFor({ timeout: 15_000 });
    await on(clerk, '#staff-code-input input').fill(code);
    await on(clerk, '#staff-verify').click();
    await on(clerk, '#staff-feedback-member').click();
    await shows(clerk, '#staff-fb-member', `会员号 ${shopper.memberId}`);
    await on(clerk, '#staff-fb-category-quality').click();
    await on(clerk, '#staff-fb-text textarea').fill('购买的面包内有异物，已当场退换');
    await snapshot(clerk, 'feedback-11-till-new');
    await on(clerk, '#staff-fb-submit').click();
    await shows(clerk, '#feedback-due', '前回复');
    expect(await text(clerk, '.feedback-thread__meta')).toContain('门店登记 S001');
    await on(clerk, '#case-reply textarea').fill('已为您退换并致歉，感谢您的反馈。');
    await on(clerk, '#case-reply-send').click();
    await shows(clerk, '#feedback-due', '按时回复于');
    await snapshot(clerk, 'feedback-12-till-answered');
    const mine = await api.call('GET', '/feedback', { token: shopper.token });
    expect(mine.body.cases[0]).toMatchObject({ channel: 'store', storeCode: 'S001', status: 'responded' });
  });

  it('HQ adjusts a member’s points by phone number, and reads the report', async () => {
    const member = await api.joinedMember('fbb-adjust', '13600009999', POLICY);
    const hq = await phonePage(browser);
    await open(hq, 'fbb-hq', 'staff/points-adjust/index');
    await on(hq, '#adjust-query input').waitFor({ timeout: 15_000 });
    await on(hq, '#adjust-query input').fill('13600009999');
    await on(hq, '#adjust-find').click();
    await shows(hq, '#adjust-member', `会员号 ${member.memberId}`);
    await on(hq, '#adjust-points input').fill('500');
    await on(hq, '#adjust-reason input').fill('线下活动积分补录');
    await on(hq, '#adjust-save').click();
    await shows(hq, '#adjust-done', '余额 500');
    await on(hq, '#adjust-direction-take').click();
    await on(hq, '#adjust-points input').fill('800');
    await on(hq, '#adjust-reason input').fill('误加扣回');
    await on(hq, '#adjust-save').click();
    await shows(hq, '#adjust-error', '积分余额不足');
    await snapshot(hq, 'feedback-09-points-adjust');

    await open(hq, 'fbb-hq', 'staff/feedback-report/index');
    await on(hq, '#report-body').waitFor({ timeout: 15_000 });
    await snapshot(hq, 'feedback-10-report');
    await readmeShot(hq, 'feedback-report');
  });
});
