import type { StaffAccount } from '../auth/staff.service';
import { TillTicketsService } from '../auth/till-tickets.service';
import { RedemptionService } from '../coupons/redemption.service';
import { TemplatesService } from '../coupons/templates.service';
import { templateRequest } from '../testing/coupon-fixtures';
import { TEST_DATABASES } from '../testing/databases';
import { checkInvariants, expectInvariants } from '../testing/invariants';
import { codeOf } from '../testing/spec';
import { tillSpec } from '../testing/till-spec';
import type { TestApp } from '../testing/test-app';
import { MessagesService } from '../messages/messages.service';
import { AccountDeletionService } from '../members/account-deletion.service';
import { Member } from '../members/member.entity';
import { openidFor, TEST_APP } from '../testing/emulator';
import { emulatorDev } from '../testing/emulator-dev';
import { FeedbackReportService } from './feedback-report.service';
import { FeedbackStaffService } from './feedback-staff.service';
import { FeedbackService } from './feedback.service';
import { PointsAdjustmentsService } from './points-adjustments.service';

const clerk1: StaffAccount = { id: 9001, openid: 'o-fb-clerk-1', role: 'clerk', name: null, stores: ['S001'] };
const clerk2: StaffAccount = { id: 9002, openid: 'o-fb-clerk-2', role: 'clerk', name: null, stores: ['S002'] };
const manager1: StaffAccount = { id: 9003, openid: 'o-fb-manager-1', role: 'store_manager', name: null, stores: ['S001'] };
const admin: StaffAccount = { id: 9004, openid: 'o-fb-admin', role: 'admin', name: null, stores: [] };

describe.each(TEST_DATABASES)('service recovery (feedback) on %s', (kind) => {
  const spec = tillSpec(kind, `feedback`, 40);
  let t: TestApp;
  let feedback: FeedbackService;
  let staff: FeedbackStaffService;
  let adjustments: PointsAdjustmentsService;
  const failure = (promise: Promise<unknown>) => promise.then(() => 'no error', codeOf);
  const raise = (memberId: number, extra: Partial<Parameters<FeedbackService['create']>[1]> = {}) =>
    feedback.create(memberId, { kind: 'complaint', category: 'service', text: '店员态度不好', idempotencyKey: spec.key(), ...extra });
  const atTill = (clerk: StaffAccount, memberId: number, store = 'S001') =>
    staff.createAtTill(clerk, {
      kind: 'complaint',
      category: 'quality',
      text: '买到的牛奶过期了',
      idempotencyKey: spec.key(),
      tillTicket: t.app.get(TillTicketsService).issue(clerk, memberId, store).ticket,
    });

  beforeAll(async () => {
    ({ t } = await spec.start());
    feedback = t.app.get(FeedbackService);
    staff = t.app.get(FeedbackStaffService);
    adjustments = t.app.get(PointsAdjustmentsService);
  });
  beforeEach(() => t.clock.set('2026-12-01T02:00:00Z'));
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));

  it('a member raises a case online: due in 30 minutes, about the store of their own order; a retry makes one case', async () => {
    const me = spec.member();
    const other = spec.member();
    const purchase = await spec.buy(me, 5000);
    const key = spec.key();
    const first = await raise(me, { orderRef: `S${purchase.id}`, idempotencyKey: key });
    expect(first).toMatchObject({
      channel: 'online',
      storeCode: 'S001',
      status: 'open',
      dueAt: '2026-12-01T02:30:00.000Z',
      overdue: false,
    });
    expect((await raise(me, { orderRef: `S${purchase.id}`, idempotencyKey: key })).id).toBe(first.id);
    // The key with other content is another case, refused rather than answered with the first.
    expect(await failure(raise(me, { orderRef: `S${purchase.id}`, idempotencyKey: key, text: '商品质量问题' }))).toBe(
      'IDEMPOTENCY_KEY_REUSED',
    );
    expect(await failure(raise(me, { idempotencyKey: key }))).toBe('IDEMPOTENCY_KEY_REUSED');
    const said = spec.key();
    await feedback.addMessage(me, first.id, '下午三点到店的', said);
    await feedback.addMessage(me, first.id, '下午三点到店的', said);
    expect(await failure(feedback.addMessage(me, first.id, '其实是四点', said))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await feedback.get(me, first.id)).messages.filter((m) => m.author === 'member').map((m) => m.body)).toEqual(['下午三点到店的']);
    expect((await feedback.list(me)).cases.map((c) => c.id)).toEqual([first.id]);
    expect(await failure(raise(other, { orderRef: `S${purchase.id}` }))).toBe('FEEDBACK_ORDER_NOT_YOURS');
    expect(await failure(feedback.get(other, first.id))).toBe('FEEDBACK_NOT_FOUND');
    expect(await failure(feedback.addMessage(other, first.id, '我也要说', spec.key()))).toBe('FEEDBACK_NOT_FOUND');
  });

  it('a clerk logs a case at the till: channel store, due in an hour, their store; other stores cannot see it', async () => {
    const me = spec.member();
    const logged = await atTill(clerk1, me);
    expect(logged).toMatchObject({ channel: 'store', storeCode: 'S001', memberId: me, dueAt: '2026-12-01T03:00:00.000Z' });
    expect((await staff.queue(clerk1, {})).cases.map((c) => c.id)).toContain(logged.id);
    expect((await staff.queue(clerk2, {})).cases.map((c) => c.id)).not.toContain(logged.id);
    expect(await failure(staff.get(clerk2, logged.id))).toBe('STORE_NOT_YOURS');
    expect(await failure(staff.reply(clerk2, logged.id, '您好', spec.key()))).toBe('STORE_NOT_YOURS');
    expect(await failure(staff.queue(clerk2, { storeCode: 'S001' }))).toBe('STORE_NOT_YOURS');
    // An online case about no store is HQ's alone.
    const online = await raise(spec.member());
    expect((await staff.queue(clerk1, {})).cases.map((c) => c.id)).not.toContain(online.id);
    expect((await staff.queue(admin, {})).cases.map((c) => c.id)).toEqual(expect.arrayContaining([logged.id, online.id]));
  });

  it('puts overdue cases first in the queue, then by due time', async () => {
    const store = await atTill(clerk1, spec.member()); // due 03:00
    t.clock.set('2026-12-01T02:20:00Z');
    const online = await raise(spec.member(), { orderRef: undefined }); // due 02:50, HQ only
    t.clock.set('2026-12-01T02:55:00Z');
    const order = (await staff.queue(admin, {})).cases.filter((c) => [store.id, online.id].includes(c.id));
    expect(order.map((c) => [c.id, c.overdue])).toEqual([
      [online.id, true],
      [store.id, false],
    ]);
    // An answered case goes below the waiting ones however early it was due; 全部 lists the newest first.
    await staff.reply(admin, online.id, '您好，已收到', spec.key());
    const after = (await staff.queue(admin, {})).cases.filter((c) => [store.id, online.id].includes(c.id));
    expect(after.map((c) => [c.id, c.status])).toEqual([
      [store.id, 'open'],
      [online.id, 'responded'],
    ]);
    expect((await staff.queue(admin, { include: 'all' })).cases[0].id).toBe(online.id);
  });

  it('a reply is the first response; the member sees it and may answer', async () => {
    const me = spec.member();
    const c = await atTill(clerk1, me);
    t.clock.set('2026-12-01T02:40:00Z');
    const key = spec.key();
    await staff.reply(clerk1, c.id, '非常抱歉，我们马上为您处理', key);
    await staff.reply(clerk1, c.id, '非常抱歉，我们马上为您处理', key);
    const seen = await feedback.get(me, c.id);
    expect(seen).toMatchObject({ status: 'responded', firstResponseAt: '2026-12-01T02:40:00.000Z' });
    expect(seen.messages.map((m) => m.author)).toEqual(['staff']);
    const answered = await feedback.addMessage(me, c.id, '好的，谢谢', spec.key());
    expect(answered.messages.map((m) => m.author)).toEqual(['staff', 'member']);
  });

  it('a member who asked for 服务进度提醒 hears of each reply once; one who did not hears nothing', async () => {
    // A member WeChat knows (the grant ledger is checked against WeChat's after each test), who taps 允许.
    const user = `fb-sub-${kind}`;
    const joinedAt = new Date('2026-11-01T00:00:00Z');
    const inserted = await t.db.dataSource.getRepository(Member).insert({
      openid: openidFor(TEST_APP.appid, user),
      nickname: '小林',
      joinedAt,
      privacyAcceptedAt: joinedAt,
      privacyPolicyVersion: 'test',
    });
    const subscribed = Number(inserted.identifiers[0].id);
    const silent = spec.member();
    const { emulatorPost } = emulatorDev(() => t.emulator.url);
    await emulatorPost('/dev/login-code', { appid: TEST_APP.appid, user });
    const templateId = t.config.messages.templates.service_reply.templateId;
    const { errMsg: _errMsg, ...results } = await emulatorPost('/dev/subscribe', {
      appid: TEST_APP.appid,
      user,
      tmplIds: [templateId],
      decisions: { [templateId]: 'accept' },
    });
    await t.app.get(MessagesService).report(subscribed, { results, moment: 'feedback_raised', idempotencyKey: spec.key() });
    const key = spec.key();
    const mine = await atTill(clerk1, subscribed);
    await Promise.all([staff.reply(clerk1, mine.id, '您好，已安排处理', key), staff.reply(clerk1, mine.id, '您好，已安排处理', key)]);
    await staff.reply(clerk1, (await atTill(clerk1, silent)).id, '您好', spec.key());
    const outbox: Array<{ memberId: number | string; kind: string }> = await t.db.dataSource.query(
      'SELECT member_id AS memberId, kind FROM message_outbox WHERE member_id IN (?, ?)',
      [subscribed, silent],
    );
    expect(outbox.map((row) => [Number(row.memberId), row.kind])).toEqual([[subscribed, 'service_reply']]);
  });

  it('goodwill stays within the role: a clerk may not give 600 points or a ¥30 coupon, a manager may', async () => {
    const me = spec.member();
    const c = await atTill(clerk1, me);
    const big = await t.app.get(TemplatesService).create(
      templateRequest(t.clock.now(), {
        name: '补偿券30',
        terms: { ...templateRequest(t.clock.now()).terms, kind: 'no_threshold', valueFen: 3000, thresholdFen: 0 },
      }),
    );
    const tooMuch = { kind: 'points' as const, points: 600, reason: '商品过期补偿' };
    expect(await failure(staff.resolve(clerk1, c.id, { resolution: '已退换', goodwill: tooMuch, idempotencyKey: spec.key() }))).toBe(
      'GOODWILL_OVER_LIMIT',
    );
    const coupon = { kind: 'coupon' as const, templateId: big.id, reason: '商品过期补偿' };
    expect(await failure(staff.resolve(clerk1, c.id, { resolution: '已退换', goodwill: coupon, idempotencyKey: spec.key() }))).toBe(
      'GOODWILL_OVER_LIMIT',
    );
    expect(await feedback.get(me, c.id)).toMatchObject({ status: 'open', messages: [], goodwill: null });
    expect(await spec.balanceOf(me)).toBe(0);
    const resolved = await staff.resolve(manager1, c.id, { resolution: '已退换', goodwill: coupon, idempotencyKey: spec.key() });
    expect(resolved).toMatchObject({ status: 'resolved', goodwill: { kind: 'coupon', faceFen: 3000, couponName: '补偿券30' } });
    const [{ n }] = await t.db.dataSource.query('SELECT COUNT(*) AS n FROM coupon WHERE member_id = ? AND template_id = ?', [me, big.id]);
    expect(Number(n)).toBe(1);
  });

  it('never gives a coupon whose fixed validity has ended: not offered, refused, nothing given', async () => {
    const me = spec.member();
    const c = await atTill(clerk1, me);
    const ended = await t.app.get(TemplatesService).create(
      templateRequest(t.clock.now(), {
        name: '已过期补偿券',
        terms: { ...templateRequest(t.clock.now()).terms, kind: 'no_threshold', valueFen: 1000, thresholdFen: 0 },
        validity: { type: 'fixed', validFrom: '2026-11-20T00:00:00+08:00', validUntil: '2026-12-01T00:00:00+08:00' },
      }),
    );
    expect((await staff.goodwillOptions(manager1)).coupons.map((o) => o.templateId)).not.toContain(ended.id);
    const coupon = { kind: 'coupon' as const, templateId: ended.id, reason: '补偿' };
    expect(await failure(staff.resolve(manager1, c.id, { resolution: '已处理', goodwill: coupon, idempotencyKey: spec.key() }))).toBe(
      'GOODWILL_COUPON_UNAVAILABLE',
    );
    expect(await feedback.get(me, c.id)).toMatchObject({ status: 'open', goodwill: null });
    const [{ n }] = await t.db.dataSource.query('SELECT COUNT(*) AS n FROM coupon WHERE template_id = ?', [ended.id]);
    expect(Number(n)).toBe(0);
  });

  it('retried resolutions (at once) give the goodwill once', async () => {
    const me = spec.member();
    const c = await atTill(clerk1, me);
    const request = {
      resolution: '赠送积分致歉',
      goodwill: { kind: 'points' as const, points: 300, reason: '排队太久' },
      idempotencyKey: spec.key(),
    };
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => staff.resolve(clerk1, c.id, request)));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill('fulfilled'));
    expect(await spec.balanceOf(me)).toBe(300);
    const [{ n }] = await t.db.dataSource.query("SELECT COUNT(*) AS n FROM points_ledger WHERE member_id = ? AND reason = 'goodwill'", [
      me,
    ]);
    expect(Number(n)).toBe(1);
    // Another key on a resolved case gives nothing more.
    expect(await failure(staff.resolve(clerk1, c.id, { ...request, idempotencyKey: spec.key() }))).toBe('FEEDBACK_ALREADY_RESOLVED');
    expect(await spec.balanceOf(me)).toBe(300);
    // The same key asking for other goodwill, or another resolution, is refused, not answered as done.
    const otherGoodwill = { ...request, goodwill: { kind: 'points' as const, points: 200, reason: '排队太久' } };
    expect(await failure(staff.resolve(clerk1, c.id, otherGoodwill))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await failure(staff.resolve(clerk1, c.id, { ...request, goodwill: undefined }))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await failure(staff.resolve(clerk1, c.id, { ...request, resolution: '已处理' }))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await staff.resolve(clerk1, c.id, request)).status).toBe('resolved');
    // The invariant checker sees a grant whose points disagree with its ledger line (then it is put back).
    await t.db.dataSource.query('UPDATE goodwill_grant SET points = 301 WHERE case_id = ?', [c.id]);
    const broken = await checkInvariants(t.db.dataSource);
    await t.db.dataSource.query('UPDATE goodwill_grant SET points = 300 WHERE case_id = ?', [c.id]);
    expect(broken.map((v) => v.invariant)).toEqual(['feedback.goodwill-matches-effect']);
  });

  it('the member rates only after the resolution, only their own case, once', async () => {
    const me = spec.member();
    const c = await atTill(clerk1, me);
    expect(await failure(feedback.rate(me, c.id, { rating: 5 }))).toBe('FEEDBACK_NOT_RESOLVED');
    await staff.resolve(clerk1, c.id, { resolution: '已为您更换', idempotencyKey: spec.key() });
    expect(await failure(feedback.rate(spec.member(), c.id, { rating: 1 }))).toBe('FEEDBACK_NOT_FOUND');
    expect(await feedback.rate(me, c.id, { rating: 4, comment: '处理及时' })).toMatchObject({ status: 'closed', rating: 4 });
    expect(await failure(feedback.rate(me, c.id, { rating: 5 }))).toBe('FEEDBACK_ALREADY_RATED');
  });

  it('an admin adjusts points by hand: within the limit, never below zero, once per request even when retried at once', async () => {
    const me = spec.member();
    expect(await failure(adjustments.adjust(admin, { memberId: me, points: 10_001, reason: '系统补录', idempotencyKey: spec.key() }))).toBe(
      'POINTS_ADJUST_OVER_LIMIT',
    );
    expect(await failure(adjustments.adjust(admin, { memberId: me, points: -1, reason: '系统补录', idempotencyKey: spec.key() }))).toBe(
      'POINTS_INSUFFICIENT',
    );
    const request = { memberId: me, points: 800, reason: '线下活动补录', idempotencyKey: spec.key() };
    const results = await Promise.all(Array.from({ length: 5 }, () => adjustments.adjust(admin, request)));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results[0]).toMatchObject({ points: 800, balanceAfter: 800 });
    expect(await spec.balanceOf(me)).toBe(800);
    expect(
      (await adjustments.adjust(admin, { memberId: me, points: -300, reason: '误加扣回', idempotencyKey: spec.key() })).balanceAfter,
    ).toBe(500);
    expect(await failure(adjustments.adjust(admin, { ...request, points: 5 }))).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('注销 erases what the member wrote and their photos; the case stays for the report', async () => {
    const me = spec.member();
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    const photo = await feedback.uploadPhoto(me, png);
    expect(await failure(feedback.uploadPhoto(me, Buffer.from('GIF89a not really')))).toBe('FEEDBACK_PHOTO_INVALID');
    const c = await raise(me, { text: '我的手机号 13800000000，店员很凶', photoIds: [photo.id] });
    expect(c.photoUrls).toEqual([photo.url]);
    expect(await failure(raise(spec.member(), { photoIds: [photo.id] }))).toBe('FEEDBACK_PHOTOS_INVALID');
    await feedback.addMessage(me, c.id, '补充：下午三点', spec.key());
    await t.app.get(AccountDeletionService).deleteAccount(me);
    const [row] = await t.db.dataSource.query('SELECT text, status FROM feedback_case WHERE id = ?', [c.id]);
    expect(row).toEqual({ text: '（已注销）', status: 'open' });
    const bodies = await t.db.dataSource.query("SELECT body FROM feedback_message WHERE case_id = ? AND author = 'member'", [c.id]);
    expect(bodies).toEqual([{ body: '（已注销）' }]);
    const [{ n }] = await t.db.dataSource.query('SELECT COUNT(*) AS n FROM feedback_photo WHERE member_id = ?', [me]);
    expect(Number(n)).toBe(0);
  });

  it('reports volume, response times, the share in time and goodwill cost for a range of days', async () => {
    t.clock.set('2027-01-10T02:00:00Z');
    const a = await atTill(clerk1, spec.member()); // due 03:00
    const b = await atTill(clerk1, spec.member());
    t.clock.set('2027-01-10T02:30:00Z');
    await staff.reply(clerk1, a.id, '您好', spec.key());
    t.clock.set('2027-01-10T04:00:00Z');
    await staff.resolve(clerk1, b.id, {
      resolution: '已处理',
      goodwill: { kind: 'points', points: 200, reason: '迟复致歉' },
      idempotencyKey: spec.key(),
    });
    const report = await t.app.get(FeedbackReportService).report(manager1, { from: '2027-01-10', to: '2027-01-10' });
    expect(report).toMatchObject({
      cases: 2,
      byCategory: [{ key: 'quality', cases: 2 }],
      byStore: [{ key: 'S001', cases: 2 }],
      responded: 2,
      medianFirstResponseMinutes: 75,
      withinDeadlineShare: 0.5,
      resolved: 1,
      medianResolutionMinutes: 120,
      goodwillPoints: 200,
      goodwillCostFen: 200,
    });
    expect((await t.app.get(FeedbackReportService).report(manager1, { from: '2027-01-11', to: '2027-01-12' })).cases).toBe(0);
  });

  it('counts a goodwill coupon at the discount it gave when used, at its face value while unused', async () => {
    t.clock.set('2027-02-10T02:00:00Z');
    const template = await t.app.get(TemplatesService).create(
      templateRequest(t.clock.now(), {
        name: '补偿9折券',
        terms: {
          ...templateRequest(t.clock.now()).terms,
          kind: 'percent_off',
          valueFen: null,
          thresholdFen: 0,
          percentPermille: 900,
          capFen: 1500,
        },
      }),
    );
    const [used, unused] = [spec.member(), spec.member()];
    for (const member of [used, unused]) {
      const c = await atTill(clerk1, member);
      await staff.resolve(manager1, c.id, {
        resolution: '已处理',
        goodwill: { kind: 'coupon', templateId: template.id, reason: '服务补偿' },
        idempotencyKey: spec.key(),
      });
    }
    const [{ code }] = await t.db.dataSource.query('SELECT code FROM coupon WHERE member_id = ? AND template_id = ?', [used, template.id]);
    await t.app.get(RedemptionService).redeem({ code, orderAmountFen: 5000 }, 'o-fb-manager-1');
    const report = await t.app.get(FeedbackReportService).report(manager1, { from: '2027-02-10', to: '2027-02-10' });
    // 10 % of ¥50 used (¥5), the unused one at its cap (¥15).
    expect(report).toMatchObject({ cases: 2, goodwillPoints: 0, goodwillCostFen: 500 + 1500 });
  });
});
