import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageKind, MessagePreferencesResponse, ReportSubscriptionsRequest } from '@member/shared';
import type { Browser, Page } from 'playwright-core';
import { TestApi } from '../support/api-client';
import { answerSubscribeSheet, h5, launchChromium, phonePage, snapshot, README_SHOT_DIR } from '../support/browser';
import { cashOffTemplateBody } from '../support/fixtures';
import { REPO_ROOT } from '../support/processes';
import { startStack, type Stack } from '../support/stack';
import { invariantsAfterEach } from '../support/invariants';

const POLICY = '2026-11';
const README_DIR = README_SHOT_DIR;

/**
 * Subscription messages (订阅消息) in the H5 build, in Chromium, against the real server (MariaDB) and the
 * emulator playing WeChat's sheet and quota: a member claims a coupon in the claim centre, the sheet offers the
 * coupon reminders, they allow them; the messages page and the server's ledger say one message of each may be
 * sent, and so does WeChat's quota. They switch the expiry reminder off. The next claim asks nothing (nothing
 * is missing), and 开启消息通知 on the messages page asks for the general kinds. A refused sheet (取消) adds
 * nothing, here or at WeChat, and the next claim asks again. Saving the birthday offers the birthday greeting.
 */
describe('subscription messages in the mini-program H5', () => {
  let stack: Stack;
  // Issue 14: every module's invariants on the whole database after each test (test/support/invariants.ts).
  invariantsAfterEach(() => stack);
  let browser: Browser;
  let api: TestApi;
  let templateIds: number[] = [];

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'miniprogram', 'dist', 'h5', 'index.html'))) throw new Error('build the H5 first: npm run build');
    stack = await startStack({ database: 'mariadb', serveH5: true, staff: [{ user: 'marketing-lin', role: 'admin', name: '林经理' }] });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    const admin = (await api.login('marketing-lin')).token;
    templateIds = [];
    for (const name of ['会员满减券', '周末满减券']) {
      const template = await api.call('POST', '/admin/coupon-templates', { token: admin, body: cashOffTemplateBody({ name }) });
      expect(template.status).toBe(201);
      templateIds.push(template.body.id);
    }
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const { open, on, text } = h5(() => stack.serverUrl);

  const preferencesOf = async (token: string): Promise<MessagePreferencesResponse> => {
    const answer = await api.call<MessagePreferencesResponse>('GET', '/messages/preferences', { token });
    expect(answer.status).toBe(200);
    return answer.body;
  };
  const kindOf = (preferences: MessagePreferencesResponse, kind: MessageKind) => {
    const view = preferences.kinds.find((k) => k.kind === kind);
    if (!view) throw new Error(`no ${kind} in ${JSON.stringify(preferences)}`);
    return view;
  };
  /** What WeChat (the emulator) would let the server send this user with this template. */
  const quotaAtWeChat = async (user: string, templateId: string): Promise<number> => {
    const response = await fetch(
      `${stack.emulatorUrl}/dev/quota?openid=${encodeURIComponent(stack.openidOf(user))}&template_id=${encodeURIComponent(templateId)}`,
    );
    expect(response.ok).toBe(true);
    return ((await response.json()) as { remaining: number }).remaining;
  };

  /** Every report the page sends to POST /api/messages/subscriptions, as sent. */
  function watchReports(page: Page): ReportSubscriptionsRequest[] {
    const reports: ReportSubscriptionsRequest[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().includes('/api/messages/subscriptions')) reports.push(request.postDataJSON());
    });
    return reports;
  }

  /** Opens the claim centre with the member's preferences loaded, as they are by the time anyone taps. */
  async function openClaimCentre(page: Page, user: string): Promise<void> {
    const warmed = page.waitForResponse((r) => r.url().includes('/api/messages/preferences') && r.request().method() === 'GET', {
      timeout: 20_000,
    });
    await open(page, user, 'pages/coupons/index');
    await on(page, `#claim-entry-${templateIds[0]}`).waitFor({ timeout: 15_000 });
    expect((await warmed).status()).toBe(200);
  }

  /** Taps 立即领取 and waits for the server's answer (the ticket turns to "limit reached"). */
  async function claim(page: Page, templateId: number): Promise<void> {
    await on(page, `#claim-${templateId}`).click();
    // Claimed: the coupon moves to 已领取 with 去使用.
    await on(page, `#claim-use-${templateId}`).waitFor({
      timeout: 15_000,
    });
  }

  /** The H5 stand-in of WeChat's subscription sheet, on screen (its wrapper has no box: mask and card are fixed). */
  const sheet = (page: Page) => page.locator('.taro-modal__content >> visible=true').filter({ hasText: '订阅消息' }).first();

  const pressSheet = answerSubscribeSheet;

  /** Until the page's answer is in (the sheet answered, the report sent and answered). */
  async function reported(page: Page): Promise<ReportSubscriptionsRequest> {
    const response = await page.waitForResponse((r) => r.url().includes('/api/messages/subscriptions') && r.request().method() === 'POST', {
      timeout: 15_000,
    });
    expect(response.status()).toBe(200);
    return response.request().postDataJSON();
  }

  /** The README pictures: still (no sliding page, no fading toast or sheet). */
  async function settle(page: Page): Promise<void> {
    await page
      .waitForFunction("document.getAnimations().every((animation) => animation.playState !== 'running')", undefined, { timeout: 3000 })
      .catch(() => undefined);
  }

  /** The whole page: Taro's H5 page scrolls inside its own container, so the window grows to its height. */
  async function readmeShot(page: Page, name: string): Promise<void> {
    mkdirSync(README_DIR, { recursive: true });
    await settle(page);
    const viewport = page.viewportSize() ?? { width: 375, height: 812 };
    const height = await page.evaluate<number>(
      "Math.max(0, ...Array.from(document.querySelectorAll('.taro_page.taro_page_show')).map((p) => p.scrollHeight))",
    );
    await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
    await page.screenshot({ path: join(README_DIR, `${name}.png`) });
    await page.setViewportSize(viewport);
  }

  it('allowing the coupon reminders at a claim: page, ledger and WeChat agree; a kind switched off is not asked for again', async () => {
    const user = 'shopper-xu';
    const member = await api.joinedMember(user, '13800002222', POLICY);
    const before = await preferencesOf(member.token);
    const arrived = kindOf(before, 'coupon_arrived');
    const expiring = kindOf(before, 'coupon_expiring');
    expect(before.moments.coupon_claimed).toEqual(expect.arrayContaining(['coupon_arrived', 'coupon_expiring']));
    expect(before.kinds.every((k) => k.remaining === 0 && k.enabled)).toBe(true);

    // The claim centre: 立即领取 brings up the sheet with the coupon reminders; the claim goes ahead meanwhile.
    const shopper = await phonePage(browser);
    const reports = watchReports(shopper);
    await openClaimCentre(shopper, user);
    await claim(shopper, templateIds[0]);
    await sheet(shopper).waitFor();
    const offered = before.moments.coupon_claimed.map((kind) => kindOf(before, kind).title);
    expect(await text(shopper, '.taro__modal .taro-modal__text')).toBe(`允许发送：${offered.join('、')}`);
    expect(offered).toEqual(expect.arrayContaining([arrived.title, expiring.title]));
    // The claim's toast waits for the sheet to close: it never covers it.
    expect(await shopper.getByText('领取成功').isVisible()).toBe(false);
    await settle(shopper);
    mkdirSync(README_DIR, { recursive: true });
    await shopper.screenshot({ path: join(README_DIR, 'messages-subscribe.png') });

    const report = reported(shopper);
    await pressSheet(shopper, '允许');
    expect(await report).toMatchObject({
      moment: 'coupon_claimed',
      results: { [arrived.templateId]: 'accept', [expiring.templateId]: 'accept' },
    });
    expect((await report).idempotencyKey).toMatch(/^[A-Za-z0-9_-]{8,64}$/);

    // The server's ledger and WeChat's quota: one message of each may be sent.
    const after = await preferencesOf(member.token);
    expect(kindOf(after, 'coupon_arrived').remaining).toBe(1);
    expect(kindOf(after, 'coupon_expiring').remaining).toBe(1);
    expect(await quotaAtWeChat(user, arrived.templateId)).toBe(1);
    expect(await quotaAtWeChat(user, expiring.templateId)).toBe(1);

    // The card sums it up; its 消息通知 line opens the messages page.
    await open(shopper, user, 'pages/card/index');
    await on(shopper, '#card-messages-summary').waitFor({ timeout: 15_000 });
    expect(await text(shopper, '#card-messages-summary')).toBe('已开启 2 项');
    await on(shopper, '#card-messages').scrollIntoViewIfNeeded();
    await snapshot(shopper, '49-card-messages');
    await on(shopper, '#card-messages').click();
    await on(shopper, '#message-kind-coupon_arrived').waitFor({ timeout: 15_000 });
    expect(await text(shopper, '#message-remaining-coupon_arrived')).toBe('已开启 · 可接收 1 条');
    expect(await text(shopper, '#message-remaining-coupon_expiring')).toBe('已开启 · 可接收 1 条');
    for (const view of after.kinds.filter((k) => k.kind !== 'coupon_arrived' && k.kind !== 'coupon_expiring')) {
      expect(await text(shopper, `#message-remaining-${view.kind}`)).toMatch(/^未开启 · /);
      // No switch shown "on" beside 未开启: the row offers WeChat's sheet instead.
      expect(await shopper.locator(`#message-switch-${view.kind}`).count()).toBe(0);
      expect(await text(shopper, `#message-enable-${view.kind}`)).toBe('去开启');
    }
    expect(await text(shopper, '#message-kind-coupon_arrived')).toContain(arrived.title);
    expect(await text(shopper, '#message-kind-coupon_arrived')).toContain(arrived.description);
    expect(await text(shopper, '#messages-note')).toContain('允许');
    await readmeShot(shopper, 'messages-page');

    // Switching the expiry reminder off: the server says so, and the page and the card follow.
    expect(await on(shopper, '#message-switch-coupon_expiring input').isChecked()).toBe(true);
    const saved = shopper.waitForResponse(
      (r) => r.url().includes('/api/messages/preferences/coupon_expiring') && r.request().method() === 'PUT',
    );
    await on(shopper, '#message-switch-coupon_expiring').click();
    expect((await saved).status()).toBe(200);
    expect(kindOf(await preferencesOf(member.token), 'coupon_expiring').enabled).toBe(false);
    expect(kindOf(await preferencesOf(member.token), 'coupon_arrived').enabled).toBe(true);
    expect(await on(shopper, '#message-switch-coupon_expiring input').isChecked()).toBe(false);
    await snapshot(shopper, '50-messages-switched-off');
    await open(shopper, user, 'pages/card/index');
    await on(shopper, '#card-messages-summary').waitFor({ timeout: 15_000 });
    expect(await text(shopper, '#card-messages-summary')).toBe('已开启 1 项');

    // The next claim: the arrival reminder can still be sent and the expiry one is off, so nothing is asked.
    await openClaimCentre(shopper, user);
    await claim(shopper, templateIds[1]);
    await shopper.waitForTimeout(500);
    expect(await shopper.locator('.taro-modal__content >> visible=true').count()).toBe(0);
    expect(reports).toHaveLength(1);
    const unchanged = await preferencesOf(member.token);
    expect(kindOf(unchanged, 'coupon_arrived').remaining).toBe(1);
    expect(kindOf(unchanged, 'coupon_expiring')).toMatchObject({ remaining: 1, enabled: false });
    expect(await quotaAtWeChat(user, expiring.templateId)).toBe(1);

    // 开启消息通知 on the messages page asks for the general kinds not yet allowed; the rows follow the answer.
    await open(shopper, user, 'pages/messages/index');
    await on(shopper, '#messages-subscribe').waitFor({ timeout: 15_000 });
    const general = unchanged.moments.notify_me.map((kind) => kindOf(unchanged, kind)).filter((view) => view.remaining === 0);
    expect(general.length).toBeGreaterThan(0);
    await on(shopper, '#messages-subscribe').click();
    await sheet(shopper).waitFor();
    expect(await text(shopper, '.taro__modal .taro-modal__text')).toBe(`允许发送：${general.map((view) => view.title).join('、')}`);
    const notifyReport = reported(shopper);
    await pressSheet(shopper, '允许');
    expect(await notifyReport).toMatchObject({
      moment: 'notify_me',
      results: Object.fromEntries(general.map((view) => [view.templateId, 'accept'])),
    });
    for (const view of general) {
      await shopper.locator(`#message-remaining-${view.kind} >> visible=true`).filter({ hasText: '可接收 1 条' }).waitFor();
      expect(await quotaAtWeChat(user, view.templateId)).toBe(1);
    }
    expect(reports).toHaveLength(2);
  });

  it('refusing the sheet at a claim adds nothing here or at WeChat, and the next claim asks again', async () => {
    const user = 'shopper-gu';
    const member = await api.joinedMember(user, '13800003333', POLICY);
    const before = await preferencesOf(member.token);
    const asked = before.moments.coupon_claimed.map((kind) => kindOf(before, kind).templateId);

    const shopper = await phonePage(browser);
    await openClaimCentre(shopper, user);
    await claim(shopper, templateIds[0]);
    await sheet(shopper).waitFor();
    let report = reported(shopper);
    await pressSheet(shopper, '取消');
    expect(await report).toMatchObject({ moment: 'coupon_claimed', results: Object.fromEntries(asked.map((id) => [id, 'reject'])) });
    await snapshot(shopper, '51-messages-refused');

    const after = await preferencesOf(member.token);
    expect(after.kinds.map((k) => k.remaining)).toEqual(before.kinds.map(() => 0));
    for (const id of asked) expect(await quotaAtWeChat(user, id)).toBe(0);

    // Still nothing to send, so the next claim offers the reminders again; refused again, still nothing.
    await claim(shopper, templateIds[1]);
    await sheet(shopper).waitFor();
    report = reported(shopper);
    await pressSheet(shopper, '取消');
    expect((await report).results).toEqual(Object.fromEntries(asked.map((id) => [id, 'reject'])));
    expect((await preferencesOf(member.token)).kinds.every((k) => k.remaining === 0)).toBe(true);

    await open(shopper, user, 'pages/messages/index');
    await on(shopper, '#message-remaining-coupon_arrived').waitFor({ timeout: 15_000 });
    expect(await text(shopper, '#message-remaining-coupon_arrived')).toBe('未开启 · 下次领券时可开启');
    expect(await text(shopper, '#message-remaining-coupon_expiring')).toMatch(/^未开启 · /);
  });

  it('saving the birthday offers the birthday greeting', async () => {
    const user = 'shopper-qiao';
    const member = await api.joinedMember(user, '13800004444', POLICY);
    const birthday = kindOf(await preferencesOf(member.token), 'birthday');

    const shopper = await phonePage(browser);
    const warmed = shopper.waitForResponse((r) => r.url().includes('/api/messages/preferences') && r.request().method() === 'GET', {
      timeout: 20_000,
    });
    await open(shopper, user, 'pages/profile/index');
    await on(shopper, '#birthday-typing').waitFor({ timeout: 15_000 });
    await on(shopper, '#birthday-typing').click();
    await warmed;
    await on(shopper, '#birthday-input input').fill('1993-04-21');
    await on(shopper, '#birthday-save').click();
    await sheet(shopper).waitFor();
    expect(await text(shopper, '.taro__modal .taro-modal__text')).toBe(`允许发送：${birthday.title}`);
    const report = reported(shopper);
    await pressSheet(shopper, '允许');
    expect(await report).toMatchObject({ moment: 'birthday_set', results: { [birthday.templateId]: 'accept' } });
    await on(shopper, '#birthday-locked').waitFor({ timeout: 15_000 });
    expect(kindOf(await preferencesOf(member.token), 'birthday').remaining).toBe(1);
    expect(await quotaAtWeChat(user, birthday.templateId)).toBe(1);
  });
});
