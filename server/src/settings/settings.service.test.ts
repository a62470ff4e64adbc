import type { MessageKind } from '@member/shared';
import { StaffService, type StaffAccount } from '../auth/staff.service';
import { TransactionRunner } from '../database/transaction-runner';
import { FeedbackStaffService } from '../feedback/feedback-staff.service';
import { FeedbackService } from '../feedback/feedback.service';
import { PointsAdjustmentsService } from '../feedback/points-adjustments.service';
import { Member } from '../members/member.entity';
import { OutboxMessage } from '../messages/message.entities';
import { MessagesService, type QueueMessage } from '../messages/messages.service';
import { OutboxSender } from '../messages/outbox-sender';
import { TEST_DATABASES } from '../testing/databases';
import { openidFor, TEST_APP } from '../testing/emulator';
import { emulatorDev } from '../testing/emulator-dev';
import { expectInvariants } from '../testing/invariants';
import { codeOf } from '../testing/spec';
import { startTestApp, type TestApp } from '../testing/test-app';
import { RuntimeSettings } from './runtime-settings.service';
import { SettingsService } from './settings.service';

describe.each(TEST_DATABASES)('runtime settings (设置) on %s', (kind) => {
  let t: TestApp;
  let settings: SettingsService;
  let hq: StaffAccount;
  let seq = 0;
  const failure = (promise: Promise<unknown>) => promise.then(() => 'no error', codeOf);
  const key = () => `settings-${kind}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;
  const { emulatorPost } = emulatorDev(() => t.emulator.url);
  const versionOf = async (k: string) => (await settings.list()).find((s) => s.key === k)!.version;
  const set = async (k: string, value: unknown) => settings.change(hq, k, { value, reason: '测试调整', baseVersion: await versionOf(k) });

  async function newMember(): Promise<{ id: number; user: string; openid: string }> {
    const user = `set-${kind}-${++seq}`;
    const joinedAt = new Date(t.clock.now().getTime() - 86_400_000);
    const openid = openidFor(TEST_APP.appid, user);
    const inserted = await t.db.dataSource
      .getRepository(Member)
      .insert({ openid, nickname: '小设', joinedAt, privacyAcceptedAt: joinedAt, privacyPolicyVersion: 'test' });
    await emulatorPost('/dev/login-code', { appid: TEST_APP.appid, user });
    return { id: Number(inserted.identifiers[0].id), user, openid };
  }

  beforeAll(async () => {
    t = await startTestApp(kind, { LOG_LEVEL: 'silent' });
    settings = t.app.get(SettingsService);
    await t.app.get(StaffService).bind('o-set-hq', 'admin', '总部小张', []);
    hq = (await t.app.get(StaffService).accountOf('o-set-hq'))!;
  });
  afterAll(() => t?.close());
  beforeEach(() => t.clock.set('2026-12-01T02:00:00.250Z'));
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));

  it('starts at the config values, validates with the config schema, keeps versions, refuses a stale edit', async () => {
    const initial = await settings.list();
    expect(initial.map((s) => s.key)).toEqual([
      'feedback.goodwillLimits',
      'feedback.firstResponseMinutes',
      'feedback.pointsAdjustmentMaxPoints',
      'messages.quietHours',
      'messages.frequencyCap',
    ]);
    const cap = initial.find((s) => s.key === 'messages.frequencyCap')!;
    expect(cap).toMatchObject({
      version: 0,
      value: t.config.messages.frequencyCap,
      defaultValue: t.config.messages.frequencyCap,
      changedBy: null,
    });

    // What config refuses, the console refuses: a bad time, a zero, a missing field, a stray one, another key.
    expect(await failure(set('messages.quietHours', { start: '25:00', end: '09:00' }))).toBe('SETTING_INVALID');
    expect(await failure(set('messages.frequencyCap', { maxMessages: 0, perDays: 7 }))).toBe('SETTING_INVALID');
    expect(await failure(set('feedback.firstResponseMinutes', { store: 60 }))).toBe('SETTING_INVALID');
    expect(await failure(set('feedback.pointsAdjustmentMaxPoints', '100'))).toBe('SETTING_INVALID');
    expect(await failure(settings.change(hq, 'privacy.policyVersion', { value: 'x', reason: '测试', baseVersion: 0 }))).toBe(
      'SETTING_UNKNOWN',
    );
    expect(await settings.history('messages.frequencyCap')).toEqual([]);

    const v1 = await set('messages.frequencyCap', { maxMessages: 6, perDays: 7 });
    expect(v1).toMatchObject({ version: 1, value: { maxMessages: 6, perDays: 7 }, changedBy: '总部小张' });
    const v2 = await settings.change(hq, 'messages.frequencyCap', {
      value: { maxMessages: 8, perDays: 14 },
      reason: '双十二加推',
      baseVersion: 1,
    });
    expect(v2.version).toBe(2);
    // An editor who still saw version 1 does not overwrite version 2 without knowing.
    expect(
      await failure(
        settings.change(hq, 'messages.frequencyCap', { value: { maxMessages: 2, perDays: 7 }, reason: '旧页面', baseVersion: 1 }),
      ),
    ).toBe('SETTING_STALE');
    // Two saves from the same version at once: one lands.
    const raced = await Promise.allSettled(
      [3, 4].map((n) =>
        settings.change(hq, 'messages.frequencyCap', { value: { maxMessages: n, perDays: 7 }, reason: '并发', baseVersion: 2 }),
      ),
    );
    expect(raced.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(raced.flatMap((r) => (r.status === 'rejected' ? [codeOf(r.reason)] : []))).toEqual(['SETTING_STALE']);

    const history = await settings.history('messages.frequencyCap');
    expect(history.map((h) => h.version)).toEqual([3, 2, 1]);
    expect(history[1]).toMatchObject({
      reason: '双十二加推',
      changedBy: '总部小张',
      changedByStaffId: hq.id,
      value: { maxMessages: 8, perDays: 14 },
    });
  });

  it('reverts to an earlier version as a new version; the config value is version 0', async () => {
    const k = 'feedback.pointsAdjustmentMaxPoints';
    const base = await versionOf(k);
    await set(k, 500);
    await set(k, 800);
    const reverted = await settings.revert(hq, k, base + 1, '恢复上一版', base + 2);
    expect(reverted).toMatchObject({ version: base + 3, value: 500 });
    expect((await settings.history(k))[0]).toMatchObject({ version: base + 3, revertedFrom: base + 1, reason: '恢复上一版' });
    expect(await failure(settings.revert(hq, k, 99, '不存在', base + 3))).toBe('SETTING_VERSION_NOT_FOUND');
    expect(await failure(settings.revert(hq, k, base + 1, '旧页面', base + 1))).toBe('SETTING_STALE');
  });

  it('a second instance agrees within runtimeSettings.cacheSeconds; the saving instance at once', async () => {
    const k = 'feedback.firstResponseMinutes';
    const other = new RuntimeSettings(t.config, t.db.dataSource);
    const before = await other.get(k);
    await set(k, { store: 45, online: 20 });
    expect(await t.app.get(RuntimeSettings).get(k)).toEqual({ store: 45, online: 20 });
    // The other instance read just before the change and keeps that for up to cacheSeconds (5 s by default).
    expect(await other.get(k)).toEqual(before);
    const fresh = new RuntimeSettings({ ...t.config, runtimeSettings: { cacheSeconds: 0 } }, t.db.dataSource);
    expect(await fresh.get(k)).toEqual({ store: 45, online: 20 });
  });

  describe('the wired keys take effect on the next read', () => {
    const clerk: StaffAccount = { id: 9101, openid: 'o-set-clerk', role: 'clerk', name: null, stores: ['S001'] };

    it('feedback.goodwillLimits: what a clerk may give, and what a grant may give', async () => {
      const staffFeedback = t.app.get(FeedbackStaffService);
      expect(await staffFeedback.goodwillOptions(clerk)).toMatchObject(t.config.feedback.goodwillLimits.clerk);
      await set('feedback.goodwillLimits', { ...t.config.feedback.goodwillLimits, clerk: { maxPoints: 1234, maxCouponFaceFen: 1500 } });
      expect(await staffFeedback.goodwillOptions(clerk)).toMatchObject({ maxPoints: 1234, maxCouponFaceFen: 1500 });

      // The grant itself (GoodwillService) reads the same setting: HQ's own limit lowered to 100 points.
      await set('feedback.goodwillLimits', { ...t.config.feedback.goodwillLimits, admin: { maxPoints: 100, maxCouponFaceFen: 1000 } });
      const me = await newMember();
      const resolve = async (points: number) => {
        const raised = await t.app
          .get(FeedbackService)
          .create(me.id, { kind: 'complaint', category: 'service', text: '排队太久', idempotencyKey: key() });
        return staffFeedback.resolve(hq, raised.id, {
          resolution: '已致歉',
          goodwill: { kind: 'points', points, reason: '排队补偿' },
          idempotencyKey: key(),
        });
      };
      expect(await failure(resolve(101))).toBe('GOODWILL_OVER_LIMIT');
      expect(await failure(resolve(100))).toBe('no error');
    });

    it('feedback.firstResponseMinutes: when a new case is due', async () => {
      const me = await newMember();
      await set('feedback.firstResponseMinutes', { store: 60, online: 7 });
      const raised = await t.app
        .get(FeedbackService)
        .create(me.id, { kind: 'feedback', category: 'service', text: '希望增加停车位', idempotencyKey: key() });
      expect(Date.parse(raised.dueAt!) - Date.parse(raised.createdAt)).toBe(7 * 60_000);
    });

    it('feedback.pointsAdjustmentMaxPoints: the largest manual adjustment', async () => {
      const me = await newMember();
      const adjust = (points: number) =>
        t.app.get(PointsAdjustmentsService).adjust(hq, { memberId: me.id, points, reason: '系统补录', idempotencyKey: key() });
      await set('feedback.pointsAdjustmentMaxPoints', 50);
      expect(await failure(adjust(51))).toBe('POINTS_ADJUST_OVER_LIMIT');
      expect(await failure(adjust(50))).toBe('no error');
    });

    it('messages.quietHours and messages.frequencyCap: when and how many messages go out', async () => {
      const messages = t.app.get(MessagesService);
      const sender = t.app.get(OutboxSender);
      const me = await newMember();
      const templateOf = (k: MessageKind) => t.config.messages.templates[k].templateId;
      for (let i = 0; i < 3; i++) {
        const tmplIds = [templateOf('coupon_arrived')];
        const { errMsg: _ignored, ...results } = await emulatorPost('/dev/subscribe', {
          appid: TEST_APP.appid,
          user: me.user,
          tmplIds,
          decisions: { [tmplIds[0]]: 'accept' },
        });
        await messages.report(me.id, { results, moment: 'notify_me', idempotencyKey: key() });
      }
      const message = (n: number): QueueMessage => ({
        memberId: me.id,
        kind: 'coupon_arrived',
        vars: { couponName: '满200减20', expiresOn: '2026-12-09' },
        dedupeKey: `settings:${me.id}:${n}`,
      });
      for (const n of [1, 2, 3]) await t.app.get(TransactionRunner).run((em) => messages.queue(em, message(n)));

      // 10:00 in Shanghai: outside the config's quiet hours (21:00–09:00), inside the new ones.
      await set('messages.quietHours', { start: '09:30', end: '11:00' });
      expect(await sender.runOnce()).toMatchObject({ claimed: 0, quietUntil: new Date('2026-12-01T03:00:00Z') });
      await set('messages.quietHours', { start: '22:00', end: '08:00' });
      await set('messages.frequencyCap', { maxMessages: 1, perDays: 7 });
      for (let i = 0; i < 5; i++) {
        if ((await sender.runOnce()).claimed === 0) break;
        t.clock.advance(1);
      }
      const rows = await t.db.dataSource.getRepository(OutboxMessage).find({ where: { memberId: me.id }, order: { id: 'ASC' } });
      expect(rows.map((r) => r.status)).toEqual(['sent', 'skipped', 'skipped']);
      expect(rows.filter((r) => r.status === 'skipped').map((r) => r.skipReason)).toEqual(['frequency_cap', 'frequency_cap']);
    });
  });
});
