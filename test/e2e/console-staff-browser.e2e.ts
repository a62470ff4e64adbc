/// <reference lib="dom" /> // page callbacks run in the browser
import type { Browser } from 'playwright-core';
import { TestApi } from '../support/api-client';
import { h5, launchChromium, phonePage, readmeShot } from '../support/browser';
import { consolePage } from '../support/console';
import { startStack, type Stack } from '../support/stack';

/**
 * Issue 18, the console's 系统 pages at 1440×900: a store manager invites a clerk with a one-time QR code, the
 * invitee opens it on a phone (the H5 build stands in for the mini-program's scanner), sees the store and role,
 * accepts, and the console's list shows the new clerk; HQ edits a runtime setting with a reason, reads its history
 * and reverts it.
 */
describe('the console manages staff (invite by QR) and runtime settings', () => {
  let stack: Stack;
  let browser: Browser;
  let api: TestApi;
  const { open, on, text } = h5(() => stack.serverUrl);

  beforeAll(async () => {
    stack = await startStack({
      database: 'mariadb',
      serveH5: true,
      staff: [
        { user: 'hq', role: 'admin', name: '总部小张' },
        { user: 'lin', role: 'store_manager', name: '林店长', stores: ['S001'] },
        { user: 'zhou', role: 'clerk', name: '周店员', stores: ['S001'] },
      ],
    });
    browser = await launchChromium();
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('a manager invites a clerk by QR; the invitee accepts on the phone; the list shows them', async () => {
    const console = await consolePage(browser, stack, 'lin', 'staff');
    await console.locator('#staff-list .staff-row').first().waitFor({ timeout: 20_000 });
    // A manager sees their own store only, with its staff count.
    expect(await console.locator('#staff-stores tbody tr').count()).toBe(1);

    await console.locator('#staff-invite-open').click();
    await console.locator('#staff-invite-name').fill('吴新人');
    await console.locator('#staff-invite-stores').click();
    await console.locator('.ant-select-item-option', { hasText: 'S001' }).click();
    await console.keyboard.press('Escape');
    await console.getByRole('button', { name: '生成邀请二维码' }).click();
    const qr = console.locator('#staff-invite-qr');
    await qr.waitFor({ timeout: 15_000 });
    const link = (await qr.getAttribute('data-link')) ?? '';
    const token = /[?&]invite=([A-Za-z0-9_-]+)/.exec(link)?.[1] ?? '';
    expect(link).toContain('#/staff/staff-invite/index?invite=');
    expect(await qr.evaluate((image: HTMLImageElement) => image.naturalWidth)).toBeGreaterThan(100);

    // The invitee: a WeChat user who is not staff, opening the code's page on a phone.
    const phone = await phonePage(browser);
    await open(phone, 'wu-newcomer', `staff/staff-invite/index?invite=${token}`);
    await on(phone, '#staff-invite-request').waitFor({ timeout: 30_000 });
    expect(await text(phone, '#staff-invite-role')).toBe('店员');
    expect(await text(phone, '#staff-invite-stores')).toBe('悦享旗舰店');
    await on(phone, '#staff-invite-accept').click();
    await on(phone, '#staff-invite-joined').waitFor({ timeout: 15_000 });

    // The console sees them join (it polls while the code is shown) and lists them.
    await console.locator('#staff-invite-joined').waitFor({ timeout: 15_000 });
    await console.getByRole('button', { name: '关闭' }).click();
    const row = console.locator('#staff-list .staff-row', { hasText: '吴新人' });
    await row.waitFor({ timeout: 15_000 });
    expect((await row.innerText()).replace(/\s+/g, ' ')).toMatch(/吴新人 店员 S001 扫码邀请 在职/);
    expect(await console.locator('#staff-invites tbody tr', { hasText: '吴新人' }).innerText()).toContain('已加入');
    // The picture without the closing dialog or a fading toast.
    await console.locator('.ant-modal-wrap').first().waitFor({ state: 'hidden', timeout: 10_000 });
    await console.locator('.ant-message-notice').first().waitFor({ state: 'detached', timeout: 10_000 });
    // The store's count includes the new clerk (林店长, 周店员 and 吴新人).
    await console.locator('#staff-stores .store-staff-count', { hasText: '3' }).waitFor({ timeout: 10_000 });
    await readmeShot(console, 'console-staff');

    // The same code again, on another phone: spent.
    const again = await phonePage(browser);
    await open(again, 'someone-else', `staff/staff-invite/index?invite=${token}`);
    await on(again, '#staff-invite-unusable').waitFor({ timeout: 30_000 });
    expect(await text(again, '#staff-invite-unusable')).toBe('该邀请已被使用');
  });

  it('HQ edits a setting with a reason, reads who changed it, and reverts it', async () => {
    const console = await consolePage(browser, stack, 'hq', 'settings');
    const row = console.locator('.setting-feedback-firstResponseMinutes');
    await row.waitFor({ timeout: 20_000 });
    expect(await row.innerText()).toContain('配置默认');

    const edit = async (online: string, reason: string) => {
      await row.locator('.setting-edit').click();
      await console.locator('#setting-field-online').fill(online);
      await console.locator('#setting-reason').fill(reason);
      await console.locator('#setting-save').click();
      await console.locator('#setting-form').waitFor({ state: 'hidden', timeout: 10_000 });
    };
    // A value config would refuse is refused with the reason shown.
    await row.locator('.setting-edit').click();
    await console.locator('#setting-field-online').fill('0');
    await console.locator('#setting-reason').fill('试试');
    await console.locator('#setting-save').click();
    await console.locator('#setting-error').waitFor({ timeout: 10_000 });
    expect(await console.locator('#setting-error').innerText()).toContain('设置值不符合要求');
    await console
      .getByRole('button', { name: '取 消' })
      .or(console.getByRole('button', { name: '取消' }))
      .first()
      .click();

    await edit('15', '线上响应提速');
    await row.locator('.setting-version', { hasText: 'v1' }).waitFor({ timeout: 10_000 });
    await edit('20', '人手不足，放宽到20分钟');
    await row.locator('.setting-version', { hasText: 'v2' }).waitFor({ timeout: 10_000 });
    expect(await row.innerText()).toContain('线上提交（分钟） 20');

    await row.locator('.setting-history').click();
    const first = console.locator('.setting-history-v1');
    await first.waitFor({ timeout: 10_000 });
    expect(await first.innerText()).toMatch(/总部小张 · .*\n?原因：线上响应提速/);
    await console.locator('.ant-message-notice').first().waitFor({ state: 'detached', timeout: 10_000 });
    await readmeShot(console, 'console-settings');

    await first.locator('.setting-revert').click();
    await console.locator('#setting-revert-reason').fill('恢复到15分钟');
    await console.locator('#setting-revert-ok').click();
    await console.locator('.setting-history-v3', { hasText: '回滚自 v1' }).waitFor({ timeout: 10_000 });

    // The server agrees: version 3 holds version 1's value, and it is what a new case gets.
    const { token } = await api.login('hq');
    const settings = await api.call('GET', '/staff/settings', { token });
    expect((settings.body as Array<{ key: string }>).find((s) => s.key === 'feedback.firstResponseMinutes')).toMatchObject({
      version: 3,
      value: { store: 60, online: 15 },
    });
    // A store manager's console has no 设置 in its menu, and the API refuses.
    const { token: manager } = await api.login('lin');
    expect((await api.call('GET', '/staff/settings', { token: manager })).status).toBe(403);
  });
});
