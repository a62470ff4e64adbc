import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboxStatus, type MessageKind, type SubscribeDecision } from '@member/shared';
import { In } from 'typeorm';
import { createApp } from '../bootstrap';
import { ClaimService } from '../coupons/claim.service';
import { TemplatesService } from '../coupons/templates.service';
import { templateRequest } from '../testing/coupon-fixtures';
import { dataSourceOptions, openDatabase } from '../database/data-source';
import { TransactionRunner } from '../database/transaction-runner';
import { BirthdayPerkJob } from '../birthday/birthday-perk.job';
import { businessDate } from '../common/clock';
import { Member } from '../members/member.entity';
import { TEST_DATABASES } from '../testing/databases';
import { openidFor, TEST_APP } from '../testing/emulator';
import { emulatorDev } from '../testing/emulator-dev';
import { grantMismatches } from '../testing/ledgers';
import { codeOf } from '../testing/spec';
import { settleSale } from '../testing/sales';
import { startTestApp, type TestApp } from '../testing/test-app';
import { expectInvariants } from '../testing/invariants';
import { MessageGrant, OutboxMessage } from './message.entities';
import { MessagesService, type QueueMessage } from './messages.service';
import { CampaignsService } from '../campaigns/campaigns.service';
import { CouponReminderJob } from '../campaigns/coupon-reminder.job';
import { OutboxSender } from './outbox-sender';
import { WechatClient } from '../wechat/wechat.client';

type Json = any;

describe.each(TEST_DATABASES)('subscription messages on %s', (kind) => {
  let t: TestApp;
  let messages: MessagesService;
  let sender: OutboxSender;
  let seq = 0;
  const key = () => `report-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

  const { emulatorGet, emulatorPost } = emulatorDev(() => t.emulator.url);
  const templateOf = (k: MessageKind) => t.config.messages.templates[k].templateId;

  async function newMember(nickname = '小王'): Promise<{ id: number; user: string; openid: string }> {
    const user = `msg-${kind}-${++seq}`;
    const joinedAt = new Date(t.clock.now().getTime() - 86_400_000);
    const openid = openidFor(TEST_APP.appid, user);
    const inserted = await t.db.dataSource
      .getRepository(Member)
      .insert({ openid, nickname, joinedAt, privacyAcceptedAt: joinedAt, privacyPolicyVersion: 'test' });
    await emulatorPost('/dev/login-code', { appid: TEST_APP.appid, user }); // WeChat knows the member's openid
    return { id: Number(inserted.identifiers[0].id), user, openid };
  }

  /** The member taps 允许 (or not) in WeChat's sheet, and the app reports exactly what WeChat answered. */
  async function subscribe(member: { id: number; user: string }, kinds: MessageKind[], decision: SubscribeDecision = 'accept') {
    const tmplIds = kinds.map(templateOf);
    const answer = await emulatorPost('/dev/subscribe', {
      appid: TEST_APP.appid,
      user: member.user,
      tmplIds,
      decisions: Object.fromEntries(tmplIds.map((id) => [id, decision])),
    });
    const { errMsg: _errMsg, ...results } = answer;
    return messages.report(member.id, { results, moment: 'notify_me', idempotencyKey: key() });
  }

  const queue = (message: QueueMessage) => t.app.get(TransactionRunner).run((em) => messages.queue(em, message));
  const couponArrived = (memberId: number, n: number | string, extra: Partial<QueueMessage> = {}): QueueMessage => ({
    memberId,
    kind: 'coupon_arrived',
    vars: { couponName: '满200减20', expiresOn: '2026-12-09' },
    dedupeKey: `test:${memberId}:${n}`,
    ...extra,
  });
  const grantOf = async (memberId: number, k: MessageKind) =>
    (await t.db.dataSource.getRepository(MessageGrant).findOneBy({ memberId, templateId: templateOf(k) }))?.remaining ?? 0;
  const wechatQuota = async (openid: string, k: MessageKind) =>
    (await emulatorGet(`/dev/quota?openid=${openid}&template_id=${templateOf(k)}`)).remaining;
  const inboxOf = async (openid: string) => (await emulatorGet(`/dev/inbox?openid=${openid}`)).messages as Json[];
  const rowsOf = (memberId: number) => t.db.dataSource.getRepository(OutboxMessage).find({ where: { memberId }, order: { id: 'ASC' } });
  /** Runs send passes a second apart (the send rate is per second) until nothing is left that is due. */
  async function drain(): Promise<void> {
    for (let i = 0; i < 20; i++) {
      const pass = await sender.runOnce();
      t.clock.advance(1);
      if (pass.claimed === 0) return;
    }
  }

  beforeAll(async () => {
    // A short WeChat timeout, so the "WeChat too slow" case takes a second, not five.
    const dir = mkdtempSync(join(tmpdir(), 'messages-config-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ wechat: { requestTimeoutMs: 1000 } }));
    t = await startTestApp(kind, { LOG_LEVEL: 'silent', CONFIG_FILE: join(dir, 'config.json') });
    messages = t.app.get(MessagesService);
    sender = t.app.get(OutboxSender);
    // Not on a whole second: datetime columns keep whole seconds, and nothing may depend on them matching `now`.
    t.clock.advance(0.25);
  });
  afterAll(() => t?.close());
  // Issue 14: every module's invariants hold after every test (one checker for all).
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));
  // WeChat keeps its own count of each member's accepts; ours must say the same after every test.
  afterEach(async () => expect(await grantMismatches(t.db.dataSource, t.emulator.url)).toEqual([]));

  it('keeps a grant ledger from what the app reports: accepts add, a resent report adds nothing, switches apply', async () => {
    const me = await newMember();
    const before = await messages.preferences(me.id);
    expect(before.kinds.find((k) => k.kind === 'coupon_arrived')).toMatchObject({ remaining: 0, enabled: true, title: '优惠券到账提醒' });
    expect(before.moments.coupon_claimed).toEqual(['coupon_arrived', 'coupon_expiring']);

    const answer = await emulatorPost('/dev/subscribe', {
      appid: TEST_APP.appid,
      user: me.user,
      tmplIds: [templateOf('coupon_arrived'), templateOf('coupon_expiring')],
      decisions: { [templateOf('coupon_arrived')]: 'accept', [templateOf('coupon_expiring')]: 'reject' },
    });
    const { errMsg, ...results } = answer;
    expect(errMsg).toBe('requestSubscribeMessage:ok');
    const report = { results, moment: 'coupon_claimed' as const, idempotencyKey: key() };
    const after = await messages.report(me.id, report);
    expect(after.kinds.filter((k) => k.remaining > 0).map((k) => [k.kind, k.remaining])).toEqual([['coupon_arrived', 1]]);
    // The same report again (a retry after a lost answer), twice at once: still one.
    await Promise.all([messages.report(me.id, report), messages.report(me.id, report)]);
    expect(await grantOf(me.id, 'coupon_arrived')).toBe(1);
    expect(await grantOf(me.id, 'coupon_arrived')).toBe(await wechatQuota(me.openid, 'coupon_arrived'));
    // Its key with other decisions was never counted: refused, not answered as if it had been.
    const otherDecisions = { ...report, results: { ...results, [templateOf('coupon_expiring')]: 'accept' } };
    expect(codeOf(await messages.report(me.id, otherDecisions).catch((e) => e))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await grantOf(me.id, 'coupon_expiring')).toBe(0);

    expect(
      codeOf(
        await messages
          .report(me.id, { results: { 'someone-elses-template': 'accept' }, moment: 'notify_me', idempotencyKey: key() })
          .catch((e) => e),
      ),
    ).toBe('MESSAGE_TEMPLATE_UNKNOWN');
    const off = await messages.setEnabled(me.id, 'coupon_expiring', false);
    expect(off.kinds.find((k) => k.kind === 'coupon_expiring')!.enabled).toBe(false);
    expect(off.moments.coupon_claimed).toEqual(['coupon_arrived']);
    expect((await messages.setEnabled(me.id, 'coupon_expiring', true)).moments.coupon_claimed).toEqual([
      'coupon_arrived',
      'coupon_expiring',
    ]);
  });

  it('n accepts allow exactly n sends, with the member’s own values; WeChat’s quota agrees with ours', async () => {
    const me = await newMember('林小姐');
    await subscribe(me, ['coupon_arrived']);
    await subscribe(me, ['coupon_arrived']);
    for (const n of [1, 2, 3]) expect(await queue(couponArrived(me.id, n))).toBe('queued');
    expect(await queue(couponArrived(me.id, 1))).toBe('duplicate');
    await drain();
    const rows = await rowsOf(me.id);
    // One member's messages go out in parallel, so which one finds no grant left is not fixed: only how many.
    expect(rows.map((r) => `${r.status}:${r.skipReason ?? ''}`).sort()).toEqual(['sent:', 'sent:', 'skipped:no_grant']);
    const inbox = await inboxOf(me.openid);
    expect(inbox).toHaveLength(2);
    expect(inbox[0]).toMatchObject({
      template_id: templateOf('coupon_arrived'),
      page: 'pages/wallet/index',
      data: { thing1: { value: '满200减20' }, date2: { value: '2026-12-09' } },
    });
    expect(await grantOf(me.id, 'coupon_arrived')).toBe(0);
    expect(await wechatQuota(me.openid, 'coupon_arrived')).toBe(0);
  });

  it('keeps WeChat’s msgid exact: beyond 2^53, stored as the digits WeChat sent', async () => {
    const me = await newMember();
    await subscribe(me, ['coupon_arrived']);
    await subscribe(me, ['coupon_arrived']);
    for (const n of [1, 2]) expect(await queue(couponArrived(me.id, `msgid-${n}`))).toBe('queued');
    await drain();
    const stored = (await rowsOf(me.id)).map((r) => r.msgid).sort();
    const sent = (await inboxOf(me.openid)).map((m: Json) => m.msgid as string).sort();
    expect(sent).toHaveLength(2);
    for (const id of sent) expect(BigInt(id) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(stored).toEqual(sent);
  });

  it('never queues values WeChat would refuse, and respects the member’s switch', async () => {
    const me = await newMember();
    await subscribe(me, ['coupon_arrived', 'points_change']);
    expect(
      await queue({
        memberId: me.id,
        kind: 'points_change',
        vars: { delta: '很多', balance: 100, reason: '消费积分' },
        dedupeKey: `bad:${me.id}`,
      }),
    ).toBe('invalid');
    await messages.setEnabled(me.id, 'coupon_arrived', false);
    await queue(couponArrived(me.id, 'off'));
    await drain();
    expect((await rowsOf(me.id)).map((r) => [r.kind, r.status, r.skipReason ?? r.error?.slice(0, 7)])).toEqual([
      ['points_change', 'failed', 'number1'],
      ['coupon_arrived', 'skipped', 'opted_out'],
    ]);
    expect(await inboxOf(me.openid)).toHaveLength(0);
    expect(await grantOf(me.id, 'coupon_arrived')).toBe(1); // kept for when they turn it on again
  });

  it('waits through quiet hours (21:00-09:00 Shanghai) instead of dropping, and caps how many one member gets', async () => {
    const me = await newMember();
    for (let i = 0; i < 6; i++) await subscribe(me, ['coupon_arrived']);
    const morning = t.clock.now();
    try {
      t.clock.set(new Date('2026-11-23T14:00:00Z')); // 22:00 in Shanghai
      for (const n of [1, 2, 3, 4, 5]) await queue(couponArrived(me.id, `cap-${n}`));
      const quiet = await sender.runOnce();
      expect(quiet).toMatchObject({ claimed: 0, quietUntil: new Date('2026-11-24T01:00:00Z') });
      expect(await inboxOf(me.openid)).toHaveLength(0);
      t.clock.set(new Date('2026-11-24T01:00:00Z')); // 09:00
      await drain();
    } finally {
      t.clock.set(morning);
    }
    const rows = await rowsOf(me.id);
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(t.config.messages.frequencyCap.maxMessages);
    expect(rows.filter((r) => r.status === 'skipped').map((r) => r.skipReason)).toEqual(['frequency_cap']);
    expect(await grantOf(me.id, 'coupon_arrived')).toBe(6 - t.config.messages.frequencyCap.maxMessages);
    expect(await wechatQuota(me.openid, 'coupon_arrived')).toBe(6 - t.config.messages.frequencyCap.maxMessages);
  });

  it('WeChat answers: 43101 zeroes the grant, 47003 fails for good, -1/5xx retry after a backoff, a timeout is never resent', async () => {
    const noQuota = await newMember();
    // Ours says 1 but WeChat has none (the accept never reached WeChat): WeChat's word wins.
    await messages.report(noQuota.id, {
      results: { [templateOf('coupon_arrived')]: 'accept' },
      moment: 'notify_me',
      idempotencyKey: key(),
    });
    await queue(couponArrived(noQuota.id, 1));
    await drain();
    expect((await rowsOf(noQuota.id))[0]).toMatchObject({ status: 'failed', errcode: 43101 });
    expect(await grantOf(noQuota.id, 'coupon_arrived')).toBe(0);

    const refused = await newMember();
    await subscribe(refused, ['coupon_arrived']);
    await emulatorPost('/dev/faults', { endpoint: 'subscribe_send', errcode: 47003 });
    await queue(couponArrived(refused.id, 1));
    await drain();
    expect((await rowsOf(refused.id))[0]).toMatchObject({ status: 'failed', errcode: 47003, attempts: 1 });
    expect(await grantOf(refused.id, 'coupon_arrived')).toBe(1);
    expect(await wechatQuota(refused.openid, 'coupon_arrived')).toBe(1);

    const busy = await newMember();
    await subscribe(busy, ['coupon_arrived']);
    await emulatorPost('/dev/faults', { endpoint: 'subscribe_send', errcode: -1 });
    await emulatorPost('/dev/faults', { endpoint: 'subscribe_send', httpStatus: 502 });
    await queue(couponArrived(busy.id, 1));
    await drain();
    expect((await rowsOf(busy.id))[0]).toMatchObject({ status: 'queued', errcode: -1, attempts: 1 });
    expect(await grantOf(busy.id, 'coupon_arrived')).toBe(1);
    const [first, second] = t.config.messages.retryBackoffSeconds;
    t.clock.advance(first);
    await drain();
    expect((await rowsOf(busy.id))[0]).toMatchObject({ status: 'queued', attempts: 2, error: 'HTTP 502' });
    t.clock.advance(second);
    await drain();
    expect((await rowsOf(busy.id))[0]).toMatchObject({ status: 'sent', attempts: 3 });
    expect(await inboxOf(busy.openid)).toHaveLength(1);

    // WeChat's per-period limit: tried again in the next second, not after the long backoff.
    const limited = await newMember();
    await subscribe(limited, ['coupon_arrived']);
    await emulatorPost('/dev/faults', { endpoint: 'subscribe_send', errcode: 45011 });
    await queue(couponArrived(limited.id, 1));
    await sender.runOnce();
    expect((await rowsOf(limited.id))[0]).toMatchObject({ status: 'queued', errcode: 45011 });
    t.clock.advance(1);
    await drain();
    expect((await rowsOf(limited.id))[0]).toMatchObject({ status: 'sent', attempts: 2 });

    const slow = await newMember();
    await subscribe(slow, ['coupon_arrived']);
    await emulatorPost('/dev/faults', { endpoint: 'subscribe_send', delayMs: 2500 });
    await queue(couponArrived(slow.id, 1));
    await drain();
    expect((await rowsOf(slow.id))[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('not resent') });
    await new Promise((resolve) => setTimeout(resolve, 1600)); // WeChat finishes the slow call after we gave up
    await drain();
    expect(await inboxOf(slow.openid)).toHaveLength(1);
    expect(await grantOf(slow.id, 'coupon_arrived')).toBe(await wechatQuota(slow.openid, 'coupon_arrived'));
  });

  it('a send whose access_token could not be had waits and is sent later, its grant kept: nothing had left for WeChat', async () => {
    const member = await newMember();
    await subscribe(member, ['coupon_arrived']);
    const tokens = t.app.get(WechatClient).tokens;
    tokens.invalidate(await tokens.getToken()); // the next send fetches a token
    await emulatorPost('/dev/faults', { endpoint: 'stable_token', delayMs: 2500 }); // past our HTTP timeout
    await queue(couponArrived(member.id, 1));
    await drain();
    expect((await rowsOf(member.id))[0]).toMatchObject({ status: 'queued', attempts: 1 });
    expect(await grantOf(member.id, 'coupon_arrived')).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1600)); // the slow token answer ends
    // A token endpoint refusing us (an errcode), then a good one: sent on the next try.
    await emulatorPost('/dev/faults', { endpoint: 'stable_token', errcode: 45009 });
    t.clock.advance(t.config.messages.retryBackoffSeconds[0]);
    await drain();
    expect((await rowsOf(member.id))[0]).toMatchObject({ status: 'queued', attempts: 2, errcode: 45009 });
    t.clock.advance(t.config.messages.retryBackoffSeconds[1]);
    await drain();
    expect((await rowsOf(member.id))[0]).toMatchObject({ status: 'sent', attempts: 3 });
    expect(await inboxOf(member.openid)).toHaveLength(1);
    expect(await grantOf(member.id, 'coupon_arrived')).toBe(await wechatQuota(member.openid, 'coupon_arrived'));
  });

  it('tells a subscribed member the points a purchase earned, once the purchase commits (SaleSettled); others get no row', async () => {
    const subscribed = await newMember();
    const other = await newMember();
    await subscribe(subscribed, ['points_change']);
    const buy = (memberId: number, n: number) => settleSale(t, { memberId, idempotencyKey: `msg-buy-${memberId}-${n}`, paidFen: 12_800 });
    await buy(subscribed.id, 1);
    await buy(other.id, 1);
    expect(await rowsOf(other.id)).toHaveLength(0);
    await drain();
    const [message] = await inboxOf(subscribed.openid);
    const balance = (await t.db.dataSource.getRepository(Member).findOneByOrFail({ id: subscribed.id })).pointsBalance;
    expect(message).toMatchObject({
      template_id: templateOf('points_change'),
      page: 'pages/points/index',
      data: { number1: { value: String(balance) }, number2: { value: String(balance) }, thing3: { value: '消费¥128.00获得积分' } },
    });
    // The grant is used: the next purchase queues nothing until the member subscribes again.
    await buy(subscribed.id, 2);
    expect(await rowsOf(subscribed.id)).toHaveLength(1);
  });

  it('greets a member on the birthday perk run when they accepted the birthday message, once a year', async () => {
    const month = Number(businessDate(t.clock.now(), t.config.businessCalendar.timeZone).slice(5, 7));
    const fan = await newMember('周周');
    const quiet = await newMember('默默');
    await t.db.dataSource.getRepository(Member).update({ id: In([fan.id, quiet.id]) }, { birthdayMonth: month, birthdayDay: 2 });
    await subscribe(fan, ['birthday']);
    const job = t.app.get(BirthdayPerkJob);
    await job.grantPerks(t.clock.now());
    await job.grantPerks(t.clock.now());
    expect(await rowsOf(quiet.id)).toHaveLength(0);
    await drain();
    const inbox = await inboxOf(fan.openid);
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({
      template_id: templateOf('birthday'),
      data: {
        thing1: { value: '周周，祝您生日快乐' },
        thing2: { value: '生日期间消费享双倍积分' },
        date3: { value: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) },
      },
    });
  });

  it('reminds a subscribed member of a coupon whose last day is three days away, once per coupon', async () => {
    const fan = await newMember();
    const optedOut = await newMember();
    await subscribe(fan, ['coupon_expiring']);
    await subscribe(optedOut, ['coupon_expiring']);
    await messages.setEnabled(optedOut.id, 'coupon_expiring', false);
    const template = await t.app.get(TemplatesService).create(templateRequest(t.clock.now(), { name: '冬日暖饮券', totalStock: 10 }));
    const coupon = await t.app.get(ClaimService).claim(fan.id, template.id, key());
    await t.app.get(ClaimService).claim(optedOut.id, template.id, key());
    const job = t.app.get(CouponReminderJob);
    const lastDay = new Date(coupon.validUntil);
    const daysBefore = t.config.messages.couponExpiringReminder.daysBefore;
    expect(await job.remind(new Date(lastDay.getTime() - (daysBefore + 1) * 86_400_000))).toBe(0); // four days before: not yet
    const reminderDay = new Date(lastDay.getTime() - daysBefore * 86_400_000);
    expect(await job.remind(reminderDay)).toBe(1);
    expect(await job.remind(reminderDay)).toBe(0);
    await drain();
    const [message] = await inboxOf(fan.openid);
    expect(message).toMatchObject({
      template_id: templateOf('coupon_expiring'),
      data: { thing1: { value: '冬日暖饮券' }, date2: { value: businessDate(lastDay, t.config.businessCalendar.timeZone) } },
    });
    expect(await inboxOf(optedOut.openid)).toHaveLength(0);
    // It is the reminder system campaign's run for that day, issued by the campaign runner.
    const reminder = (await t.app.get(CampaignsService).list()).campaigns.find((c) => c.system === 'coupon-reminder')!;
    const run = (await t.app.get(CampaignsService).get(reminder.id)).runs.find(
      (r) => r.period === businessDate(reminderDay, t.config.businessCalendar.timeZone),
    );
    expect(run).toMatchObject({ status: 'done', heldOut: 0 });
    expect(run!.targeted).toBeGreaterThanOrEqual(2);
  });

  it('reminds of a coupon valid for fewer days than the reminder’s lead, claimed after the day’s run, at the next run', async () => {
    const fan = await newMember();
    await subscribe(fan, ['coupon_expiring']);
    const template = await t.app
      .get(TemplatesService)
      .create(templateRequest(t.clock.now(), { name: '两日券', totalStock: 10, validity: { type: 'relative', validDays: 2 } }));
    const coupon = await t.app.get(ClaimService).claim(fan.id, template.id, key());
    const job = t.app.get(CouponReminderJob);
    // Its last day is tomorrow: three days before it was yesterday, so the old one-day window never held it.
    const nextRun = new Date(t.clock.now().getTime() + 86_400_000);
    expect(await job.remind(nextRun)).toBe(1);
    expect(await job.remind(new Date(nextRun.getTime() + 3_600_000))).toBe(0);
    await drain();
    const messagesOfCoupon = (await inboxOf(fan.openid)).filter((m) => m.template_id === templateOf('coupon_expiring'));
    expect(messagesOfCoupon).toHaveLength(1);
    expect(messagesOfCoupon[0]).toMatchObject({
      data: {
        thing1: { value: '两日券' },
        date2: { value: businessDate(new Date(coupon.validUntil), t.config.businessCalendar.timeZone) },
      },
    });
  });

  it('keeps to the send rate per second, across passes', async () => {
    const me = await newMember();
    const rate = t.config.messages.sendRatePerSecond;
    await t.app.get(TransactionRunner).run(async (em) => {
      for (let n = 0; n < rate + 50; n++) await messages.queue(em, couponArrived(me.id, `rate-${n}`));
    });
    t.clock.advance(1);
    expect((await sender.runOnce()).claimed).toBe(rate);
    expect((await sender.runOnce()).claimed).toBe(0); // the same second: the budget is spent
    t.clock.advance(1);
    expect((await sender.runOnce()).claimed).toBe(50);
    expect(await inboxOf(me.openid)).toHaveLength(0); // no grants: every one skipped, none sent blind
  });

  it('never resends a message a sender died holding', async () => {
    const me = await newMember();
    await subscribe(me, ['coupon_arrived']);
    await queue(couponArrived(me.id, 1));
    // A sender claimed it, admitted it (its grant spent) and died in the WeChat call.
    await t.db.dataSource
      .getRepository(OutboxMessage)
      .update({ memberId: me.id }, { status: OutboxStatus.Sending, claimedAt: t.clock.now(), attempts: 1, grantSpent: true });
    await drain();
    expect((await rowsOf(me.id))[0].status).toBe('sending');
    t.clock.advance(11 * 60);
    await drain();
    expect((await rowsOf(me.id))[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('interrupted') });
    expect(await inboxOf(me.openid)).toHaveLength(0);
  });

  it('sends a message a sender died holding before admitting it: WeChat was never called for it', async () => {
    const me = await newMember();
    await subscribe(me, ['coupon_arrived']);
    await queue(couponArrived(me.id, 1));
    // Claimed (sending, its grant not spent), then the sender died or its admission failed.
    await t.db.dataSource
      .getRepository(OutboxMessage)
      .update({ memberId: me.id }, { status: OutboxStatus.Sending, claimedAt: t.clock.now(), attempts: 1 });
    t.clock.advance(11 * 60);
    await drain();
    expect((await rowsOf(me.id))[0]).toMatchObject({ status: 'sent' });
    expect(await inboxOf(me.openid)).toHaveLength(1);
  });

  // Two processes on one database need a database server: the embedded SQLite file is one process's.
  (kind === 'mariadb' ? it : it.skip)('two server instances sending at once send every message exactly once', async () => {
    const members = await Promise.all(Array.from({ length: 15 }, () => newMember()));
    for (const m of members) {
      await subscribe(m, ['coupon_arrived']);
      await subscribe(m, ['coupon_arrived']);
      await subscribe(m, ['coupon_arrived']);
      for (const n of [1, 2, 3]) await queue(couponArrived(m.id, `two-${n}`));
    }
    const dataSource = await openDatabase(dataSourceOptions({ url: t.db.url, sqlitePath: '', poolSize: 5 }));
    const other = await createApp({ config: t.config, clock: t.clock, dataSource });
    await other.init();
    try {
      const senders = [sender, other.get(OutboxSender)];
      for (let round = 0; round < 10; round++) await Promise.all([...senders, ...senders].map((s) => s.runOnce()));
    } finally {
      await other.close();
    }
    for (const m of members) {
      const rows = await rowsOf(m.id);
      expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
      const inbox = await inboxOf(m.openid);
      expect(inbox).toHaveLength(3);
      expect(await grantOf(m.id, 'coupon_arrived')).toBe(0);
      expect(await wechatQuota(m.openid, 'coupon_arrived')).toBe(0);
    }
  });
});
