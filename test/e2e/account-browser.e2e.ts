import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { TestApi } from '../support/api-client';
import { cashOffTemplateBody } from '../support/fixtures';
import { h5, launchChromium, readmeShot, SCREENSHOT_DIR, snapshot } from '../support/browser';
import { REPO_ROOT } from '../support/processes';
import { startStack, type Stack } from '../support/stack';
import { invariantsAfterEach } from '../support/invariants';

/**
 * 注销 in the H5 build at 390×844: a shopper joins, reads what deletion erases and keeps, confirms in the dialog,
 * and the app starts over as a new visitor; the token the old account had, replayed by the test, is refused.
 */
describe('account deletion (注销) in the mini-program H5', () => {
  let stack: Stack;
  invariantsAfterEach(() => stack);
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'miniprogram', 'dist', 'h5', 'index.html'))) throw new Error('build the H5 first: npm run build');
    stack = await startStack({ database: 'mariadb', serveH5: true, staff: [{ user: 'account-boss', role: 'admin' }] });
    browser = await launchChromium();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const { open, on, text } = h5(() => stack.serverUrl);

  async function phone390(): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    return context.newPage();
  }

  /** Asks until `probe` answers something `done` accepts (jest has no expect.poll). */
  async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (done(value) || Date.now() > until) return value;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** The session token the app keeps (Taro's H5 storage wraps values as {"data": …}). */
  async function storedToken(page: Page): Promise<string | null> {
    return page.evaluate(() => {
      const raw = window.localStorage.getItem('member.session.v1');
      if (!raw) return null;
      const parsed = JSON.parse(raw) as { data?: { token?: string }; token?: string };
      return parsed.data?.token ?? parsed.token ?? null;
    });
  }

  it('join → 注销 with a confirmation → a new visitor; the old token is refused', async () => {
    const shopper = await phone390();
    await open(shopper, 'leaving-zhou', 'pages/card/index');
    await on(shopper, '#card-join').click();
    await on(shopper, '#join-privacy').click();
    await on(shopper, '#join-phone').click();
    await on(shopper, '#phone-input input').fill('13812340000');
    await on(shopper, '#phone-confirm').click();
    await on(shopper, '#member-card').waitFor({ timeout: 15_000 });
    const oldToken = await storedToken(shopper);
    expect(oldToken).toBeTruthy();
    const api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    const before = await api.call('GET', '/members/me', { token: oldToken! });
    expect(before.body).toMatchObject({ joined: true, phoneMasked: '138****0000' });

    await open(shopper, 'leaving-zhou', 'pages/account-delete/index');
    await on(shopper, '#account-delete-submit').waitFor();
    expect(await on(shopper, '#account-delete-submit').getAttribute('disabled')).not.toBeNull();
    await snapshot(shopper, 'account-01-delete-explained');
    await readmeShot(shopper, 'account-delete');

    await on(shopper, '#account-delete-understood').click();
    await on(shopper, '#account-delete-submit').click();
    const dialog = on(shopper, '.nut-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('不可撤销');
    await snapshot(shopper, 'account-02-delete-confirm');
    await on(shopper, '.nut-dialog-footer-ok').click();

    await on(shopper, '#account-delete-done').waitFor({ timeout: 15_000 });
    await snapshot(shopper, 'account-03-deleted');
    await on(shopper, '#account-delete-restart').click();

    // A new visitor: not a member, a new session for a new member row.
    await on(shopper, '#card-welcome').waitFor({ timeout: 15_000 });
    await snapshot(shopper, 'account-04-new-visitor');
    const newToken = await storedToken(shopper);
    expect(newToken).toBeTruthy();
    expect(newToken).not.toBe(oldToken);
    const fresh = await api.call('GET', '/members/me', { token: newToken! });
    expect(fresh).toMatchObject({ status: 200, body: { joined: false, phoneMasked: null, nickname: null } });
    expect(fresh.body.id).not.toBe(before.body.id);

    // The claim centre greets the new visitor with one way in, not a grey reason on every coupon.
    const admin = (await api.login('account-boss')).token;
    expect(
      (await api.call('POST', '/admin/coupon-templates', { token: admin, body: cashOffTemplateBody({ name: '新人满100减10' }) })).status,
    ).toBe(201);
    await open(shopper, 'leaving-zhou', 'pages/coupons/index');
    await on(shopper, '#claim-join-button').waitFor({ timeout: 15_000 });
    expect(await shopper.locator('.coupon-ticket__blocked >> visible=true').count()).toBe(0);
    await snapshot(shopper, 'account-05-claim-centre-visitor');

    // The old token replayed: refused, for reading and for deleting again.
    expect(await api.call('GET', '/members/me', { token: oldToken! })).toMatchObject({ status: 401, body: { code: 'SESSION_REVOKED' } });
    expect(await api.call('POST', '/members/me/deletion', { token: oldToken!, body: { confirm: true } })).toMatchObject({ status: 401 });
  });

  it('the profile: avatar from a file, nickname, birthday from the date wheels; errors clear when fixed', async () => {
    const api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    await api.joinedMember('profile-he', '13812340001', '2026-11');
    const shopper = await phone390();
    await open(shopper, 'profile-he', 'pages/profile/index');
    await on(shopper, '#birthday-picker').waitFor({ timeout: 15_000 });

    // Avatar: a picture file, uploaded and shown from our server.
    const dir = mkdtempSync(join(tmpdir(), 'avatar-'));
    const png = join(dir, 'me.png');
    writeFileSync(
      png,
      Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64'),
    );
    const chooser = shopper.waitForEvent('filechooser');
    await on(shopper, '#avatar-choose').click();
    await (await chooser).setFiles(png);
    // The circle shows the uploaded picture.
    await on(shopper, '#avatar-choose img').waitFor({ timeout: 15_000 });
    const profile = async () => (await api.call('GET', '/members/me', { token: (await api.login('profile-he')).token })).body;
    const withAvatar = await eventually(profile, (member) => Boolean(member.avatarUrl));
    expect(withAvatar.avatarUrl).toMatch(/^\/api\/media\/avatars\//);

    // Nickname, read from the form when it is submitted.
    await shopper.waitForFunction(() => !document.querySelector('#profile-save')?.hasAttribute('disabled')); // the upload is done
    await on(shopper, '#profile-nickname input').fill('何小姐');
    await on(shopper, '#profile-save').click();
    expect((await eventually(profile, (member) => member.nickname === '何小姐')).nickname).toBe('何小姐');

    // Birthday: the wheels in a bottom sheet; 确定 takes what they show.
    await on(shopper, '#birthday-picker').click();
    await on(shopper, '.nut-picker').waitFor();
    await shopper.waitForTimeout(600); // the sheet slides up
    await snapshot(shopper, 'profile-02-birthday-wheels');
    await on(shopper, '.nut-picker-confirm-btn').click();
    expect(await text(shopper, '#birthday-picker')).toContain('1995年1月1日');

    // A typed date that is not one shows the error; fixing the field clears it at once.
    await on(shopper, '#birthday-typing').click();
    await on(shopper, '#birthday-input input').fill('1995-13-40');
    await on(shopper, '#birthday-save').click();
    await on(shopper, '#birthday-error').waitFor();
    await on(shopper, '#birthday-input input').fill('1995-06-18');
    expect(await shopper.locator('#birthday-error >> visible=true').count()).toBe(0);
    await snapshot(shopper, 'profile-01-filled');
  });
});
