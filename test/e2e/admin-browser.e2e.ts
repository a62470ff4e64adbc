/// <reference lib="dom" /> // page.waitForFunction callbacks run in the browser
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { TestApi } from '../support/api-client';
import { changeInOneTask, h5, launchChromium, postSentBy, phonePage, readmeShot, snapshot } from '../support/browser';
import { REPO_ROOT } from '../support/processes';
import { startStack, type Stack } from '../support/stack';
import { invariantsAfterEach } from '../support/invariants';

/**
 * Issue 16, marketing's drafts in the H5 build at 390×844 against the real server on MariaDB: a coupon template
 * is created, paused before anyone claimed it (so not live), edited, copied (副本) and the copy deleted; once
 * claimable again it offers no edit or delete. A campaign draft is edited, shows its audience size, is copied and
 * the copy deleted. Both forms scroll to the first red field and clear each error once it is fixed.
 */
describe('coupon templates and campaign drafts in the H5 staff pages', () => {
  let stack: Stack;
  invariantsAfterEach(() => stack);
  let browser: Browser;
  let api: TestApi;

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'miniprogram', 'dist', 'h5', 'index.html'))) throw new Error('build the H5 first: npm run build');
    stack = await startStack({ database: 'mariadb', serveH5: true, staff: [{ user: 'wang', role: 'admin', name: '王经理' }] });
    browser = await launchChromium();
    // Two members, so the draft's audience has a size to show.
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    await api.joinedMember('amy', '13800000001', '2026-11');
    await api.joinedMember('bo', '13800000002', '2026-11');
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const { open, on, text } = h5(() => stack.serverUrl);
  const gone = (page: Page, selector: string) => page.locator(selector).first().waitFor({ state: 'detached', timeout: 15_000 });
  // Asked until the scroll's 300 ms animation has brought it in, for up to 5 s: a loaded machine draws it late.
  const inView = async (page: Page, selector: string) => {
    for (const deadline = Date.now() + 5_000; ;) {
      const box = await on(page, selector).boundingBox();
      if (box !== null && box.y >= 0 && box.y + box.height <= 844) return true;
      if (Date.now() > deadline) return false;
      await page.waitForTimeout(100);
    }
  };
  const confirmModal = async (page: Page, button: string) => {
    await page.locator('.taro__modal .taro-modal__content >> visible=true').first().waitFor({ timeout: 15_000 });
    await page.locator('.taro__modal .taro-model__btn >> visible=true').filter({ hasText: button }).click();
  };
  const newestTemplateId = async (page: Page) => {
    await page.locator('[id^="template-counts-"]').first().waitFor({ timeout: 15_000 });
    return Number(((await on(page, '[id^="template-counts-"]').getAttribute('id')) ?? '').slice('template-counts-'.length));
  };

  it('a template: form errors guide → create → pause → edit → copy → delete the copy; a live one offers no edit or delete', async () => {
    const admin = await phonePage(browser);
    await open(admin, 'wang', 'staff/templates/index');
    await on(admin, '#templates-page-empty').waitFor({ timeout: 15_000 });
    await snapshot(admin, 'admin-01-templates-empty');
    await on(admin, '#template-new').click();
    await on(admin, '#tpl-name').waitFor();

    // A name but no amount or stock: the page scrolls to the first red field; each clears once it is right.
    await on(admin, '#tpl-name input').fill('会员日满减券');
    await on(admin, '#tpl-submit').click();
    await on(admin, '#tpl-error-value').waitFor();
    expect(await inView(admin, '#tpl-row-value')).toBe(true);
    await snapshot(admin, 'admin-02-template-form-errors');
    await on(admin, '#tpl-value input').fill('20');
    await on(admin, '#tpl-error-threshold').waitFor(); // still wrong: stays red
    expect(await admin.locator('#tpl-error-value').count()).toBe(0);
    await on(admin, '#tpl-threshold input').fill('200');
    await gone(admin, '#tpl-error-threshold');
    await on(admin, '#tpl-stock input').fill('0');
    await admin.waitForTimeout(300);
    expect(await admin.locator('#tpl-error-stock').count()).toBe(1); // 0 is still wrong: stays red
    await on(admin, '#tpl-stock input').fill('100');
    await gone(admin, '#tpl-error-stock');
    await gone(admin, '#tpl-error');
    await on(admin, '#tpl-submit').click();

    const id = await newestTemplateId(admin);
    // Claimable from today: live at once, so only 复制 and 暂停.
    expect(await text(admin, `#template-live-${id}`)).toContain('已开始领取');
    expect(await admin.locator(`#template-edit-${id}`).count()).toBe(0);
    expect(await admin.locator(`#template-delete-${id}`).count()).toBe(0);
    // Paused before anyone claimed it: nobody holds its terms, so it can be corrected.
    await on(admin, `#template-toggle-${id}`).click();
    await on(admin, `#template-edit-${id}`).waitFor({ timeout: 15_000 });
    expect(await text(admin, `#template-state-${id}`)).toBe('已暂停');
    await snapshot(admin, 'admin-03-template-paused-editable');

    await on(admin, `#template-edit-${id}`).click();
    await on(admin, '#tpl-name input').waitFor();
    expect(await on(admin, '#tpl-name input').inputValue()).toBe('会员日满减券');
    expect(await on(admin, '#tpl-value input').inputValue()).toBe('20');
    await on(admin, '#tpl-value input').fill('30');
    await on(admin, '#tpl-threshold input').fill('300');
    expect(await text(admin, '#tpl-submit')).toBe('保存修改');
    await admin.waitForTimeout(500); // the page transition
    await snapshot(admin, 'admin-04-template-edit');
    await on(admin, '#tpl-submit').click();
    await admin.locator(`#template-${id} >> text=满300减30`).first().waitFor({ timeout: 15_000 });

    // Copy: the terms in a new form named "… 副本", saved as a new template.
    await on(admin, `#template-copy-${id}`).click();
    await on(admin, '#tpl-name input').waitFor();
    expect(await on(admin, '#tpl-name input').inputValue()).toBe('会员日满减券 副本');
    expect(await on(admin, '#tpl-value input').inputValue()).toBe('30');
    await admin.waitForTimeout(500); // the page transition
    await snapshot(admin, 'admin-05-template-copy');
    await on(admin, '#tpl-submit').click();
    // Back on the list once the copy is saved: the newest row is then no longer the original.
    await admin.waitForFunction(
      (original) => {
        const newest = document.querySelector('[id^="template-counts-"]');
        return newest !== null && newest.id !== original;
      },
      `template-counts-${id}`,
      { timeout: 15_000 },
    );
    const copy = await newestTemplateId(admin);
    expect(copy).toBeGreaterThan(id);
    await on(admin, `#template-toggle-${copy}`).click();
    await on(admin, `#template-delete-${copy}`).waitFor({ timeout: 15_000 });
    await admin.waitForTimeout(1600); // the 已暂停领取 toast fades first
    await on(admin, `#template-delete-${copy}`).click();
    await admin.waitForTimeout(400); // the dialog's fade-in
    await snapshot(admin, 'admin-06-template-delete-confirm');
    await confirmModal(admin, '删除');
    await gone(admin, `#template-${copy}`);

    // Claimable again: live, no edit or delete; opening its edit link says why and offers a copy.
    await on(admin, `#template-toggle-${id}`).click();
    await gone(admin, `#template-edit-${id}`);
    expect(await admin.locator(`#template-delete-${id}`).count()).toBe(0);
    expect(await text(admin, `#template-state-${id}`)).toBe('领取中');
    await snapshot(admin, 'admin-07-templates-live');
    await open(admin, 'wang', `staff/template-edit/index?id=${id}`);
    await on(admin, '#tpl-form-live-empty').waitFor({ timeout: 15_000 });
    await snapshot(admin, 'admin-08-template-live-no-edit');
  });

  it('a template keeps every field changed before the form renders again', async () => {
    // Each change once rebuilt the whole form from the copy its render held, so a change arriving before the next
    // render undid the one before it. Four fields are typed and two chips tapped in one task here.
    const admin = await phonePage(browser);
    await open(admin, 'wang', 'staff/template-edit/index');
    await on(admin, '#tpl-name input').waitFor({ timeout: 15_000 });
    const typed: Array<[string, string]> = [
      ['#tpl-name input', '连填满减券'],
      ['#tpl-value input', '15'],
      ['#tpl-threshold input', '99'],
      ['#tpl-stock input', '30'],
    ];
    await changeInOneTask(admin, { type: typed, tap: ['#tpl-stacks-yes', '#tpl-audience-new_members'] });
    for (const [selector, value] of typed) expect(await on(admin, selector).inputValue()).toBe(value);

    const answer = await postSentBy(admin, '#tpl-submit', '/api/admin/coupon-templates');
    expect(answer.status()).toBe(201);
    expect(answer.request().postDataJSON()).toMatchObject({
      name: '连填满减券',
      terms: { kind: 'cash_off', valueFen: 1500, thresholdFen: 9900, stacksWithMemberDiscount: true },
      totalStock: 30,
      audience: 'new_members',
    });
  });

  it('a campaign draft: form errors guide → save → audience size → edit → copy → delete the copy', async () => {
    const admin = await phonePage(browser);
    await open(admin, 'wang', 'staff/campaigns/index');
    await on(admin, '#campaign-new').waitFor({ timeout: 15_000 });
    await on(admin, '#campaign-new').click();
    await on(admin, '#campaign-name').waitFor();
    await on(admin, '#campaign-holdout input').fill('80');
    await on(admin, '#campaign-save').click();
    await on(admin, '#campaign-error-name').waitFor();
    expect(await inView(admin, '#campaign-row-name')).toBe(true);
    await snapshot(admin, 'admin-09-campaign-form-errors');
    await on(admin, '#campaign-name input').fill('周末回归礼');
    await gone(admin, '#campaign-error-name');
    expect(await admin.locator('#campaign-error-holdoutPercent').count()).toBe(1);
    await on(admin, '#campaign-holdout input').fill('');
    await gone(admin, '#campaign-error-holdoutPercent');
    await on(admin, '#campaign-points input').fill('100');
    await gone(admin, '#campaign-offer-error');
    await on(admin, '#campaign-save').click();

    await on(admin, '#campaign-title').waitFor({ timeout: 15_000 });
    await on(admin, '#campaign-draft #audience-size').waitFor();
    await admin.waitForFunction(() => document.querySelector('#campaign-draft #audience-size')?.textContent?.trim() === '2', null, {
      timeout: 15_000,
    });
    await admin.waitForTimeout(500); // the page transition
    await snapshot(admin, 'admin-10-campaign-draft-audience');
    await readmeShot(admin, 'campaign-draft');

    await on(admin, '#campaign-edit').click();
    await on(admin, '#campaign-name input').waitFor();
    expect(await on(admin, '#campaign-name input').inputValue()).toBe('周末回归礼');
    expect(await on(admin, '#campaign-points input').inputValue()).toBe('100');
    await on(admin, '#campaign-points input').fill('150');
    await on(admin, '#campaign-save').click();
    await admin.locator('#campaign-offer-summary >> text=150').first().waitFor({ timeout: 15_000 });
    // The launch confirmation states the audience size again; 再想想 keeps the draft.
    await on(admin, '#campaign-launch').click();
    await admin.locator('.taro__modal .taro-modal__content >> visible=true').first().waitFor({ timeout: 15_000 });
    expect(await text(admin, '.taro__modal .taro-modal__text')).toContain('目标人群 2 人');
    await admin.waitForTimeout(400);
    await snapshot(admin, 'admin-11-campaign-launch-confirm');
    await admin.locator('.taro__modal .taro-model__btn >> visible=true').filter({ hasText: '再想想' }).click();
    const url = admin.url();

    await on(admin, '#campaign-copy').click();
    await on(admin, '#campaign-name input').waitFor();
    expect(await on(admin, '#campaign-name input').inputValue()).toBe('周末回归礼 副本');
    await admin.waitForTimeout(500); // the page transition
    await snapshot(admin, 'admin-12-campaign-copy');
    await on(admin, '#campaign-save').click();
    await admin.waitForURL((next) => next.toString() !== url, { timeout: 15_000 });
    await on(admin, '#campaign-title').waitFor({ timeout: 15_000 });
    expect(await text(admin, '#campaign-title')).toBe('周末回归礼 副本');
    const copyUrl = admin.url();
    await on(admin, '#campaign-delete').click();
    await admin.waitForTimeout(400);
    await snapshot(admin, 'admin-13-campaign-delete-confirm');
    await confirmModal(admin, '删除');
    // The page goes back once the delete has been answered.
    await admin.waitForURL((next) => next.toString() !== copyUrl, { timeout: 15_000 });

    // The list: the original draft stays, the copy is gone; the launch confirmation states the audience size.
    await open(admin, 'wang', 'staff/campaigns/index');
    await on(admin, '[id^="campaign-status-"]').waitFor({ timeout: 15_000 });
    const names = await admin.locator('.campaign-row__name').allTextContents();
    expect(names).toContain('周末回归礼');
    expect(names).not.toContain('周末回归礼 副本');
    await on(admin, '[id^="campaign-row-edit-"]').waitFor();
    await snapshot(admin, 'admin-14-campaigns');
  });

  it('over HTTP: 409 with a stable code once live or launched, 204 on a delete, 404 after it', async () => {
    const token = (await api.login('wang')).token;
    const day = 86_400_000;
    const body = (claimStartsAt: number) => ({
      name: '接口券',
      terms: {
        kind: 'no_threshold',
        valueFen: 500,
        thresholdFen: 0,
        percentPermille: null,
        capFen: null,
        giftName: null,
        stacksWithMemberDiscount: false,
      },
      totalStock: 10,
      perMemberLimit: 1,
      validity: { type: 'relative', validDays: 7 },
      claimStartsAt: new Date(claimStartsAt).toISOString(),
      claimEndsAt: new Date(Date.now() + 30 * day).toISOString(),
      audience: 'all',
    });
    const live = (await api.call('POST', '/admin/coupon-templates', { token, body: body(Date.now() - 1000) })).body;
    expect(live.liveBecause).toBe('claimable');
    const edit = await api.call('PUT', `/admin/coupon-templates/${live.id}`, { token, body: body(Date.now() + day) });
    expect([edit.status, edit.body.code]).toEqual([409, 'COUPON_TEMPLATE_ALREADY_LIVE']);
    const removal = await api.call('DELETE', `/admin/coupon-templates/${live.id}`, { token });
    expect([removal.status, removal.body.code]).toEqual([409, 'COUPON_TEMPLATE_ALREADY_LIVE']);

    const later = (await api.call('POST', '/admin/coupon-templates', { token, body: body(Date.now() + day) })).body;
    expect(later.liveBecause).toBeNull();
    expect(
      (await api.call('PUT', `/admin/coupon-templates/${later.id}`, { token, body: { ...body(Date.now() + day), name: '改名' } })).body
        .name,
    ).toBe('改名');
    expect((await api.call('DELETE', `/admin/coupon-templates/${later.id}`, { token })).status).toBe(204);
    expect((await api.call('GET', `/admin/coupon-templates/${later.id}`, { token })).status).toBe(404);

    const setUp = {
      name: '接口活动',
      filter: {},
      couponTemplateId: null,
      points: 5,
      messageKind: null,
      offerText: null,
      schedule: 'now',
      startsAt: null,
      dormantDays: null,
      daysBefore: null,
      holdoutPermille: 0,
    };
    const draft = (await api.call('POST', '/admin/campaigns', { token, body: { ...setUp, idempotencyKey: 'api-draft-1' } })).body;
    expect((await api.call('PUT', `/admin/campaigns/${draft.id}`, { token, body: { ...setUp, points: 8 } })).body.points).toBe(8);
    await api.call('POST', `/admin/campaigns/${draft.id}/launch`, { token });
    const late = await api.call('PUT', `/admin/campaigns/${draft.id}`, { token, body: setUp });
    expect([late.status, late.body.code]).toEqual([409, 'CAMPAIGN_NOT_DRAFT']);
    const gone = await api.call('DELETE', `/admin/campaigns/${draft.id}`, { token });
    expect([gone.status, gone.body.code]).toEqual([409, 'CAMPAIGN_NOT_DRAFT']);
  });
});
