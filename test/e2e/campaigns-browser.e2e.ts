import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MessagePreferencesResponse } from '@member/shared';
import type { Browser, Page } from 'playwright-core';
import { TestApi } from '../support/api-client';
import {
  answerSubscribeSheet,
  changeInOneTask,
  h5,
  launchChromium,
  postSentBy,
  phonePage,
  SCREENSHOT_DIR,
  snapshot,
  README_SHOT_DIR,
} from '../support/browser';
import { cashOffTemplateBody } from '../support/fixtures';
import { REPO_ROOT } from '../support/processes';
import { startStack, type Stack } from '../support/stack';
import { invariantsAfterEach } from '../support/invariants';

const POLICY = '2026-11';
const README_DIR = README_SHOT_DIR;

/**
 * The marketing side of campaigns in the H5 build, in Chromium, against the real server (MariaDB, its own
 * campaign scheduler and message sender) and the emulator playing WeChat: two members join; one allows the
 * coupon messages in the app, the other does not. The admin builds an audience in 客户分层 (new members, the
 * 优惠券到账提醒 message) and sees 2 members, 1 reachable; carries it into a new campaign with a coupon and that
 * message, saves and launches it after a confirmation stating those numbers. The run report shows 2 targeted,
 * 2 coupons, 1 message sent and 1 skipped as 未订阅. The subscribed member has the coupon in the wallet and
 * WeChat (the emulator's inbox) has the message naming it; the other has the coupon and no message.
 */
describe('campaigns in the staff pages (H5)', () => {
  let stack: Stack;
  // Issue 14: every module's invariants on the whole database after each test (test/support/invariants.ts).
  invariantsAfterEach(() => stack);
  let browser: Browser;
  let api: TestApi;

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'miniprogram', 'dist', 'h5', 'index.html'))) throw new Error('build the H5 first: npm run build');
    stack = await startStack({
      database: 'mariadb',
      serveH5: true,
      staff: [{ user: 'boss', role: 'admin', name: '周经理' }],
      env: { CAMPAIGN_SCHEDULER_EVERY_SECONDS: '1' },
    });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    // Daytime in Shanghai whenever CI runs, so quiet hours (21:00-09:00) do not hold the message back.
    expect((await api.call('POST', '/test/clock', { body: { now: '2026-11-23T10:00:00+08:00' } })).status).toBe(200);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const { open, on, text } = h5(() => stack.serverUrl);

  /** Until the visible element's text is exactly `expected` (the preview and the report update on their own). */
  const shows = (page: Page, selector: string, expected: string, timeout = 15_000) =>
    page
      .locator(`${selector} >> visible=true`)
      .filter({ hasText: new RegExp(`^\\s*${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) })
      .first()
      .waitFor({ timeout });

  const isOn = async (page: Page, selector: string) =>
    ((await on(page, selector).getAttribute('class')) ?? '').includes('choice-chips__chip--on');

  async function settle(page: Page): Promise<void> {
    await page
      .waitForFunction("document.getAnimations().every((animation) => animation.playState !== 'running')", undefined, { timeout: 3000 })
      .catch(() => undefined);
  }

  /** The whole page for the README: Taro's H5 page scrolls inside its own container, so the window grows to its height. */
  async function readmeShot(page: Page, name: string, dir = README_DIR): Promise<void> {
    mkdirSync(dir, { recursive: true });
    await settle(page);
    const viewport = page.viewportSize() ?? { width: 375, height: 812 };
    const height = await page.evaluate<number>(
      "Math.max(0, ...Array.from(document.querySelectorAll('.taro_page.taro_page_show')).map((p) => p.scrollHeight))",
    );
    await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
    await page.screenshot({ path: join(dir, `${name}.png`) });
    await page.setViewportSize(viewport);
  }

  const emulatorGet = async (path: string): Promise<any> => (await fetch(`${stack.emulatorUrl}${path}`)).json();

  /** A live cash-off coupon template, made over the API by an admin: its id. */
  const newTemplate = async (adminToken: string, name: string, totalStock: number): Promise<number> => {
    const template = await api.call('POST', '/admin/coupon-templates', {
      token: adminToken,
      body: cashOffTemplateBody({ name, totalStock }),
    });
    expect(template.status).toBe(201);
    return template.body.id;
  };

  it('admin builds an audience, sees size and reach, launches a coupon + message campaign; the subscribed member gets both', async () => {
    // Two new members; one allows the coupon messages in the app (开启消息通知 on the messages page).
    const fan = await api.joinedMember('camp-fan', '13500007777', POLICY);
    const quiet = await api.joinedMember('camp-quiet', '13500008888', POLICY);
    const shopper = await phonePage(browser);
    await open(shopper, 'camp-fan', 'pages/messages/index');
    await on(shopper, '#messages-subscribe').waitFor({ timeout: 15_000 });
    const reported = shopper.waitForResponse((r) => r.url().includes('/api/messages/subscriptions') && r.request().method() === 'POST', {
      timeout: 15_000,
    });
    await on(shopper, '#messages-subscribe').click();
    await answerSubscribeSheet(shopper, '允许');
    expect((await reported).status()).toBe(200);
    const preferences = (await api.call<MessagePreferencesResponse>('GET', '/messages/preferences', { token: fan.token })).body;
    const arrived = preferences.kinds.find((k) => k.kind === 'coupon_arrived');
    expect(arrived).toMatchObject({ remaining: 1, enabled: true, title: '优惠券到账提醒' });
    const arrivedTemplate = arrived!.templateId;

    // The coupon the campaign gives.
    const admin = (await api.login('boss')).token;
    const templateId = await newTemplate(admin, '回归礼券', 100);

    // 客户分层 from the staff home.
    const boss = await phonePage(browser);
    await open(boss, 'boss', 'pages/card/index');
    await boss.locator('#staff-entry').first().click();
    await on(boss, '#staff-goto-campaigns').waitFor({ timeout: 15_000 });
    await on(boss, '#staff-goto-audience').click();
    // Everyone at first: both members (staff who never joined are not members).
    await shows(boss, '#audience-size', '2');
    expect(await text(boss, '#audience-reachable')).toBe('—');

    // The RFM refresh (the server also runs it on a schedule): both joined and never bought.
    const refreshed = boss.waitForResponse((r) => r.url().includes('/api/admin/segments/refresh'), { timeout: 30_000 });
    await on(boss, '#audience-refresh').click();
    expect((await refreshed).status()).toBe(200);
    await shows(boss, '#audience-segment-never_purchased', '未消费 2');
    const bySegment = boss.waitForResponse(
      (r) => r.url().includes('/api/admin/audiences/preview') && r.request().postDataJSON()?.filter?.rfmSegments?.[0] === 'never_purchased',
      {
        timeout: 15_000,
      },
    );
    await on(boss, '#audience-segment-never_purchased').click();
    expect((await bySegment).status()).toBe(200);
    await on(boss, '#audience-preview:not(.audience-preview--loading)').waitFor();
    expect(await text(boss, '#audience-size')).toBe('2');
    expect(await text(boss, '#audience-rfm-at')).toContain('分层数据更新于 2026-11-23');
    await on(boss, '#audience-segment-never_purchased').click();

    // New members, with the coupon-arrived message: 2 of them, 1 reachable.
    await on(boss, '#audience-status-new').click();
    await on(boss, '#audience-message-coupon_arrived').click();
    await boss.waitForResponse(
      (r) =>
        r.url().includes('/api/admin/audiences/preview') &&
        r.request().postDataJSON()?.messageKind === 'coupon_arrived' &&
        r.request().postDataJSON()?.filter?.lifecycleStatuses?.[0] === 'new',
      { timeout: 15_000 },
    );
    await shows(boss, '#audience-reachable', '1');
    expect(await text(boss, '#audience-size')).toBe('2');
    expect(await text(boss, '#audience-reach-share')).toBe('50%');
    expect(await boss.locator('#audience-sample [id^="audience-sample-"] >> visible=true').count()).toBe(2);
    expect(await text(boss, '#audience-sample')).not.toContain('13500007777');
    // Days since the last purchase: nobody here ever bought, so any bound leaves no one.
    await on(boss, '#audience-days-max input').fill('30');
    await shows(boss, '#audience-size', '0');
    await on(boss, '#audience-days-max input').fill('');
    await shows(boss, '#audience-size', '2');
    await shows(boss, '#audience-reachable', '1');
    await on(boss, '#audience-preview:not(.audience-preview--loading)').waitFor();
    await readmeShot(boss, 'campaign-audience');

    // Into a new campaign with that audience and message.
    await on(boss, '#audience-create-campaign').click();
    await on(boss, '#campaign-name').waitFor({ timeout: 15_000 });
    expect(await isOn(boss, '#audience-status-new')).toBe(true);
    expect(await isOn(boss, '#campaign-message-coupon_arrived')).toBe(true);
    await on(boss, `#campaign-coupon-${templateId}`).waitFor({ timeout: 15_000 });
    await shows(boss, '#audience-reachable', '1');
    expect(await text(boss, '#audience-size')).toBe('2');

    // Saving with nothing named says what is missing and creates nothing.
    await on(boss, '#campaign-save').click();
    await on(boss, '#campaign-error').waitFor();
    expect(await text(boss, '.campaign-form')).toContain('请输入活动名称');
    // (The system campaigns, birthday perks and the expiry reminder, are always listed.)
    expect(
      (await api.call('GET', '/admin/campaigns', { token: admin })).body.campaigns.filter(
        (c: { system: string | null }) => c.system === null,
      ),
    ).toHaveLength(0);

    await on(boss, '#campaign-name input').fill('冬日回归礼');
    await on(boss, `#campaign-coupon-${templateId}`).click();
    await on(boss, '#campaign-schedule-now').click();
    await readmeShot(boss, '60-campaign-form', SCREENSHOT_DIR);
    const created = boss.waitForResponse((r) => r.url().endsWith('/api/admin/campaigns') && r.request().method() === 'POST', {
      timeout: 15_000,
    });
    await on(boss, '#campaign-save').click();
    const createdAnswer = await created;
    expect(createdAnswer.status()).toBe(201);
    const campaign = await createdAnswer.json();
    expect(createdAnswer.request().postDataJSON()).toMatchObject({
      name: '冬日回归礼',
      filter: { lifecycleStatuses: ['new'] },
      couponTemplateId: templateId,
      points: 0,
      messageKind: 'coupon_arrived',
      schedule: 'now',
      holdoutPermille: 0,
    });

    // The campaign's page: a draft; 发布活动 states the numbers before it goes.
    await on(boss, '#campaign-launch').waitFor({ timeout: 15_000 });
    expect(await text(boss, '#campaign-status')).toBe('草稿');
    expect(await text(boss, '#campaign-audience')).toBe('会员状态：新会员');
    expect(await text(boss, '#campaign-offer-summary')).toBe('优惠券「回归礼券」');
    await on(boss, '#campaign-launch').click();
    const modal = boss.locator('.taro__modal .taro-modal__content >> visible=true').filter({ hasText: '发布活动' }).first();
    await modal.waitFor({ timeout: 15_000 });
    expect(await text(boss, '.taro__modal .taro-modal__text')).toContain('目标人群 2 人，其中 1 人可收到「优惠券到账提醒」（50%）');
    await boss.locator('.taro__modal .taro-model__btn >> visible=true').filter({ hasText: '发布' }).click();

    // The run report follows the run until the messages are out.
    const run = boss.locator('.run-report[id^="campaign-run-"] >> visible=true').first();
    await run.waitFor({ timeout: 30_000 });
    const runId = ((await run.getAttribute('id')) ?? '').slice('campaign-run-'.length);
    const row = `#campaign-run-${runId}`;
    await shows(boss, `${row}-sent`, '1', 60_000);
    await shows(boss, `${row}-queued`, '0', 60_000);
    await shows(boss, `${row}-status`, '已完成', 30_000);
    expect(await text(boss, `${row}-targeted`)).toBe('2');
    expect(await text(boss, `${row}-held-out`)).toBe('0');
    expect(await text(boss, `${row}-coupons`)).toBe('2');
    expect(await text(boss, `${row}-skipped`)).toBe('1');
    expect(await text(boss, `${row}-skipped-no_grant`)).toBe('1');
    expect(await text(boss, `${row} .run-count--indent`)).toContain('未订阅');
    expect(await text(boss, `${row}-failed`)).toBe('0');
    expect(await text(boss, `${row}-lift`)).toBe('未设对照组');
    await on(boss, '#campaign-following').waitFor({ state: 'hidden', timeout: 15_000 });
    await shows(boss, '#campaign-status', '已结束');
    await readmeShot(boss, 'campaign-report');

    // The list has it, ended, with the run's numbers.
    await open(boss, 'boss', 'staff/campaigns/index');
    await on(boss, `#campaign-${campaign.id}`).waitFor({ timeout: 15_000 });
    expect(await text(boss, `#campaign-status-${campaign.id}`)).toBe('已结束');
    expect(await text(boss, `#campaign-last-run-${campaign.id}`)).toBe('执行结果：目标 2 人 · 发券 2 · 消息送达 1');
    await snapshot(boss, '61-campaigns-list');

    // The subscribed member: the coupon in the wallet, and the message at WeChat naming it.
    await open(shopper, 'camp-fan', 'pages/wallet/index');
    await shopper
      .locator('[id^="coupon-"].coupon-ticket >> visible=true')
      .filter({ hasText: '回归礼券' })
      .first()
      .waitFor({ timeout: 15_000 });
    const fanInbox = await emulatorGet(
      `/dev/inbox?openid=${encodeURIComponent(stack.openidOf('camp-fan'))}&template_id=${encodeURIComponent(arrivedTemplate)}`,
    );
    expect(fanInbox.messages).toHaveLength(1);
    expect(fanInbox.messages[0].data.thing1).toEqual({ value: '回归礼券' });
    expect(fanInbox.messages[0].data.date2.value).toMatch(/^\d{4}-\d{2}-\d{2}/);
    // The grant is spent, here and at WeChat.
    const after = (await api.call<MessagePreferencesResponse>('GET', '/messages/preferences', { token: fan.token })).body;
    expect(after.kinds.find((k) => k.kind === 'coupon_arrived')?.remaining).toBe(0);
    expect(
      (
        await emulatorGet(
          `/dev/quota?openid=${encodeURIComponent(stack.openidOf('camp-fan'))}&template_id=${encodeURIComponent(arrivedTemplate)}`,
        )
      ).remaining,
    ).toBe(0);

    // The other member: the coupon, no message.
    const wallet = await api.call('GET', '/coupons/wallet?tab=usable', { token: quiet.token });
    expect(JSON.stringify(wallet.body)).toContain('回归礼券');
    const quietInbox = await emulatorGet(`/dev/inbox?openid=${encodeURIComponent(stack.openidOf('camp-quiet'))}`);
    expect(quietInbox.messages).toHaveLength(0);
  });

  it('keeps every change when several land before the form renders again (a late input event, quick taps)', async () => {
    // CI once saved a campaign without the coupon just tapped: each change rebuilt the whole form from the copy its
    // render held, so a change arriving before the next render undid the one before it. Here the name, the days
    // since the last purchase, two tiers, the coupon, the message and the schedule all change in one task of the
    // page, before the typed values have rendered: all are saved.
    const templateId = await newTemplate((await api.login('boss')).token, '连点礼券', 10);

    const boss = await phonePage(browser);
    await open(boss, 'boss', 'staff/campaign-edit/index');
    await on(boss, `#campaign-coupon-${templateId}`).waitFor({ timeout: 15_000 });
    const picked = [
      '#audience-tier-gold',
      '#audience-tier-diamond',
      `#campaign-coupon-${templateId}`,
      '#campaign-message-coupon_arrived',
      '#campaign-schedule-now',
    ];
    const typed: Array<[string, string]> = [
      ['#campaign-name input', '连点测试'],
      ['#audience-days-min input', '10'],
    ];
    await changeInOneTask(boss, { type: typed, tap: picked });
    for (const chip of picked) expect(await isOn(boss, chip)).toBe(true);
    for (const [selector, value] of typed) expect(await on(boss, selector).inputValue()).toBe(value);

    const answer = await postSentBy(boss, '#campaign-save', '/api/admin/campaigns');
    expect(answer.status()).toBe(201);
    expect(answer.request().postDataJSON()).toMatchObject({
      name: '连点测试',
      filter: { tiers: ['gold', 'diamond'], lastPurchaseDaysMin: 10 },
      couponTemplateId: templateId,
      messageKind: 'coupon_arrived',
      schedule: 'now',
    });
  });

  it('a recurring campaign is launched, paused and resumed from its page, with its holdout shown', async () => {
    const admin = (await api.login('boss')).token;
    const created = await api.call('POST', '/admin/campaigns', {
      token: admin,
      body: {
        name: '沉睡会员唤醒',
        filter: { tiers: ['gold', 'diamond'], lastPurchaseDaysMin: 60 },
        couponTemplateId: null,
        points: 200,
        messageKind: 'reactivation',
        offerText: '200积分已到账',
        schedule: 'reactivation',
        startsAt: null,
        dormantDays: 90,
        daysBefore: null,
        holdoutPermille: 100,
        idempotencyKey: 'browser-recurring-0001',
      },
    });
    expect(created.status).toBe(201);
    const id: number = created.body.id;

    const boss = await phonePage(browser);
    await open(boss, 'boss', `staff/campaign/index?id=${id}`);
    await on(boss, '#campaign-launch').waitFor({ timeout: 15_000 });
    expect(await text(boss, '#campaign-audience')).toBe('会员等级：金卡会员、钻石会员 距上次消费：60 天以上');
    expect(await text(boss, '#campaign-offer-summary')).toBe('200 积分');
    expect(await text(boss, '#campaign-message')).toBe('专属回归礼（200积分已到账）');
    expect(await text(boss, '#campaign-holdout-text')).toBe('随机留出 10%');
    expect(await text(boss, '.campaign-hero__meta')).toBe('每天：上次消费恰好 90 天的会员');

    await on(boss, '#campaign-launch').click();
    await boss
      .locator('.taro__modal .taro-modal__content >> visible=true')
      .filter({ hasText: '发布活动' })
      .first()
      .waitFor({ timeout: 15_000 });
    expect(await text(boss, '.taro__modal .taro-modal__text')).toContain('目标人群 0 人，其中 0 人可收到「专属回归礼」');
    expect(await text(boss, '.taro__modal .taro-modal__text')).toContain('随机留出 10% 作为对照组');
    await boss.locator('.taro__modal .taro-model__btn >> visible=true').filter({ hasText: '发布' }).click();
    await shows(boss, '#campaign-status', '进行中');

    await on(boss, '#campaign-pause').click();
    await boss.locator('.taro__modal .taro-model__btn >> visible=true').filter({ hasText: '暂停' }).click();
    await shows(boss, '#campaign-status', '已暂停');
    expect((await api.call('GET', `/admin/campaigns/${id}`, { token: admin })).body.status).toBe('paused');

    await on(boss, '#campaign-resume').click();
    await shows(boss, '#campaign-status', '进行中');
    await on(boss, '#campaign-pause').waitFor();
    expect((await api.call('GET', `/admin/campaigns/${id}`, { token: admin })).body.status).toBe('active');
  });
});
