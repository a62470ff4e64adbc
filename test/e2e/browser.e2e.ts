import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { issueMemberCode } from '../../server/src/members/member-code';
import { answerSubscribeSheet, launchChromium, phonePage, snapshot } from '../support/browser';
import { REPO_ROOT } from '../support/processes';
import { startStack, TEST_SECRETS, type Stack } from '../support/stack';
import { invariantsAfterEach } from '../support/invariants';

const codeSettings = { secret: TEST_SECRETS.MEMBER_CODE_SECRET, prefix: '66', periodSeconds: 60, graceSeconds: 15 };

/**
 * A shopper and a clerk using the mini-program's H5 build in Chromium, against the real server and
 * emulator processes on MariaDB: login → join → card with member code; the clerk verifies that code.
 */
describe('mini-program H5 in Chromium', () => {
  let stack: Stack;
  // Issue 14: every module's invariants on the whole database after each test (test/support/invariants.ts).
  invariantsAfterEach(() => stack);
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'miniprogram', 'dist', 'h5', 'index.html'))) throw new Error('build the H5 first: npm run build');
    stack = await startStack({ database: 'mariadb', serveH5: true, staff: [{ user: 'clerk-li', role: 'clerk', name: '李店员' }] });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const open = (page: Page, user: string, route = 'pages/card/index') => page.goto(`${stack.serverUrl}/?user=${user}#/${route}`);
  const digitsOf = async (page: Page, selector: string) => ((await page.locator(selector).first().textContent()) ?? '').replace(/\D/g, '');

  it('a shopper logs in, joins with a phone number, sees the card with a member code, and a clerk verifies it', async () => {
    const shopper = await phonePage(browser);
    await open(shopper, 'shopper-mei');
    await shopper.locator('#card-welcome').waitFor();
    await snapshot(shopper, '01-welcome');

    await shopper.locator('#card-join').click();
    await shopper.locator('#join-privacy').waitFor();
    await shopper.locator('#join-privacy').click();
    await snapshot(shopper, '02-join-consent');
    await shopper.locator('#join-phone').click();
    await shopper.locator('#phone-input input').fill('13812345678');
    await snapshot(shopper, '03-join-phone-sheet');
    await shopper.locator('#phone-confirm').click();

    await shopper.locator('#member-card').waitFor({ timeout: 15_000 });
    expect(await shopper.locator('#card-tier').first().textContent()).toContain('普通');
    expect(await digitsOf(shopper, '#card-points')).toBe('0');
    expect(await digitsOf(shopper, '#card-coupons')).toBe('0');
    expect(await shopper.locator('#card-progress').first().textContent()).toMatch(/银卡/);
    await snapshot(shopper, '04-member-card');
    // The code lives on the 会员码 tab; the card's button switches to it.
    await shopper.locator('#card-show-code').click();
    await shopper.locator('#member-code-text >> visible=true').waitFor({ timeout: 15_000 });
    await expect(shopper.locator('#member-code-barcode').first().getAttribute('src')).resolves.toMatch(/^data:image\/svg\+xml/);
    await expect(shopper.locator('#member-code-qr').first().getAttribute('src')).resolves.toMatch(/^data:image\/svg\+xml/);
    const memberCode = await digitsOf(shopper, '#member-code-text');
    expect(memberCode).toMatch(/^66\d{12,}$/);
    await snapshot(shopper, '04-member-code');

    const clerk = await phonePage(browser);
    await open(clerk, 'clerk-li');
    await clerk.locator('#staff-entry').first().click();
    await clerk.locator('#staff-code-input').waitFor();
    await clerk.locator('#staff-code-input input').fill(memberCode.replace(/(\d{4})/g, '$1 '));
    await clerk.locator('#staff-verify').click();
    await clerk.locator('#staff-member').waitFor();
    expect(await clerk.locator('#staff-member-phone').textContent()).toContain('138****5678');
    expect(await clerk.locator('#staff-member-tier').textContent()).toContain('普通');
    await snapshot(clerk, '05-staff-verified');

    // A screenshot of the card from ten minutes ago is refused with a clear message.
    const memberId = Number(await digitsOf(clerk, '#staff-member-id'));
    const stale = issueMemberCode(codeSettings, memberId, new Date(Date.now() - 10 * 60_000)).code;
    await clerk.locator('#staff-code-input input').fill(stale);
    await clerk.locator('#staff-verify').click();
    await clerk.locator('#staff-error').waitFor();
    expect(await clerk.locator('#staff-error').textContent()).toContain('已过期');
    await snapshot(clerk, '06-staff-expired-code');

    // One digit of the HMAC changed (always a different digit: '00' in place of the last two was the code itself 1 time in 100).
    const forged = memberCode.slice(0, -1) + String((Number(memberCode.slice(-1)) + 1) % 10);
    await clerk.locator('#staff-code-input input').fill(forged);
    await clerk.locator('#staff-verify').click();
    await expect(clerk.locator('#staff-error').textContent()).resolves.toMatch(/无效/);
  });

  it('a shopper sets a birthday once; the profile then shows when it can change again', async () => {
    const shopper = await phonePage(browser);
    await open(shopper, 'shopper-lan');
    await shopper.locator('#card-join').click();
    await shopper.locator('#join-privacy').click();
    await shopper.locator('#join-phone').click();
    await shopper.locator('#phone-input input').fill('13987654321');
    await shopper.locator('#phone-confirm').click();
    await shopper.locator('#member-card').waitFor({ timeout: 15_000 });

    await shopper.locator('#goto-profile').click();
    // H5 offers the date wheels and, for a keyboard, a typed date.
    await shopper.locator('#birthday-typing').click();
    await shopper.locator('#birthday-input input').fill('1992-06-18');
    await snapshot(shopper, '07-profile-birthday');
    await shopper.locator('#birthday-save').click();
    await answerSubscribeSheet(shopper, '取消'); // the app asks whether it may send the birthday greeting
    await shopper.locator('#birthday-locked').waitFor();
    expect(await shopper.locator('#birthday-locked').textContent()).toMatch(/\d{4}-\d{2}-\d{2}|\d{4}年/);
    await snapshot(shopper, '08-profile-birthday-locked');
  });

  it('a member who is not staff cannot use the staff page', async () => {
    const shopper = await phonePage(browser);
    await open(shopper, 'curious-shopper', 'staff/home/index');
    await shopper.locator('#staff-page-empty').waitFor({ timeout: 15_000 });
    expect(await shopper.locator('#staff-page-empty').textContent()).toContain('仅限门店员工使用');
    await snapshot(shopper, '09-staff-forbidden');
  });
});
