// The demo's first start: ninety days of a store played through the server's own HTTP API (Fastify's inject,
// no port), so every ledger, counter and event is what real use would have written. The clock is a manual one
// moved from event to event, so joins, purchases, refunds and the campaign carry their own past times and every
// rule (coupon validity, points limits, tiers, quiet hours) is judged as it would have been then.
//
// Run by `npm start` (test/scripts/start.ts) before the server starts, on the same SQLite file and environment;
// it prints `DEMO_SEED_STEP <ms> <label>` lines the start script turns into its progress list. It seeds only a
// store with no coupon templates yet, so a second start adds nothing.
import { ConfigError, loadConfig, type AppConfig } from '@member/config';
import type {
  CampaignView,
  CouponTemplateView,
  CouponView,
  CreatePayOrderResponse,
  MemberCodeResponse,
  MessagePreferencesResponse,
  MetricsBackfillResponse,
  PayOrderView,
  PurchaseView,
  RefundView,
  SegmentsRefreshResponse,
  TillQuote,
  WalletResponse,
} from '@member/shared';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DateTime } from 'luxon';
import { createApp } from '../bootstrap';
import type { DataSourceOptions } from 'typeorm';
import { ManualClock } from '../common/clock';
import { dataSourceOptions, openDatabase } from '../database/data-source';
import { JobScheduler } from '../jobs/job-scheduler';
import { OutboxSender } from '../messages/outbox-sender';
import { DAY_MS, demoPlan, pointsShopItems, sampleCoupons, type DemoMember, type DemoPurchase } from './demo-plan';

type Answer<T> = { status: number; body: T };

/** The mini-program's and the staff pages' calls, into the app in process, with the sessions they hold. */
class DemoApi {
  private readonly sessions = new Map<string, { token: string; at: number }>();
  private keys = 0;

  constructor(
    private readonly app: NestFastifyApplication,
    private readonly clock: ManualClock,
    private readonly emulatorUrl: string,
    private readonly appid: string,
    /** How long a session of this server lasts (main lengthens it past the replayed history). */
    private readonly sessionTtlMs: number,
  ) {}

  async call<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, user: string | null, body?: unknown): Promise<Answer<T>> {
    const headers: Record<string, string> = {};
    if (user) headers.authorization = `Bearer ${await this.token(user)}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const answer = await this.app.inject({
      method,
      url: `/api${path}`,
      headers,
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: answer.statusCode, body: (answer.body ? JSON.parse(answer.body) : null) as T };
  }

  /** Like call, but anything other than 2xx stops the seed with what the server said. */
  async ok<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, user: string | null, body?: unknown): Promise<T> {
    const answer = await this.call<T>(method, path, user, body);
    if (answer.status >= 300) throw new Error(`${method} ${path} as ${user}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  async emulator<T = Record<string, unknown>>(path: string, body: Record<string, unknown>): Promise<T> {
    const response = await fetch(`${this.emulatorUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appid: this.appid, ...body }),
    });
    if (!response.ok) throw new Error(`emulator ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  /** Each sample user logs in once (the seed's sessions last its whole history; see main). */
  async token(user: string): Promise<string> {
    const now = this.clock.now().getTime();
    const held = this.sessions.get(user);
    // A history replayed as of another day (DEMO_SEED_NOW) ends at the real now, which may be past its sessions:
    // one within a day of its expiry on the clock is replaced.
    if (held && now - held.at < this.sessionTtlMs - DAY_MS) return held.token;
    const { code } = await this.emulator<{ code: string }>('/dev/login-code', { user });
    const answer = await this.app.inject({ method: 'POST', url: '/api/auth/login', payload: { code } });
    if (answer.statusCode !== 200) throw new Error(`login of ${user}: ${answer.statusCode} ${answer.body}`);
    const token = (JSON.parse(answer.body) as { token: string }).token;
    this.sessions.set(user, { token, at: now });
    return token;
  }

  key(what: string): string {
    return `demo-${what}-${++this.keys}`;
  }
}

/** An event of the store's history; events run in time order, and an event may add later ones. */
interface Happening {
  at: number;
  run: () => Promise<void>;
}

const MANAGER = process.env.DEMO_MANAGER_USER || 'clerk';
const CAMPAIGN_DAYS_AGO = 21;

/**
 * When the store's history ends: now, or DEMO_SEED_NOW (an ISO instant) to replay it as of another moment. The
 * plan, the opening hours and the tiers depend on the calendar, so a test seeds moments that once broke it.
 */
function seedMoment(): number {
  const given = process.env.DEMO_SEED_NOW;
  if (!given) return Date.now();
  const at = Date.parse(given);
  if (Number.isNaN(at)) throw new Error(`DEMO_SEED_NOW must be an ISO date and time, not ${given}`);
  // The in-app payments and the jobs run at the real now, after the history: it cannot end later than that.
  if (at > Date.now()) throw new Error(`DEMO_SEED_NOW must not be in the future: ${given}`);
  return at;
}

function step(started: number, label: string): void {
  process.stdout.write(`DEMO_SEED_STEP ${Date.now() - started} ${label}\n`);
}

async function seed(app: NestFastifyApplication, clock: ManualClock, config: AppConfig, emulatorUrl: string): Promise<void> {
  const now = clock.now().getTime();
  const zone = config.businessCalendar.timeZone;
  const api = new DemoApi(app, clock, emulatorUrl, config.wechat.appid, config.session.ttlSeconds * 1000);
  /** `minute` minutes after 10:00 (opening) on the day `daysAgo` days before today, never later than now. */
  const dayTime = (daysAgo: number, minute: number) => {
    const at = DateTime.fromMillis(now, { zone }).startOf('day').minus({ days: daysAgo }).plus({ hours: 10, minutes: minute }).toMillis();
    return at < now - 600_000 ? at : at - DAY_MS;
  };
  const plan = demoPlan(DateTime.fromMillis(now, { zone }).month);
  const start = dayTime(97, -60);

  let started = Date.now();
  clock.set(new Date(start));
  const existing = await api.ok<unknown[]>('GET', '/admin/coupon-templates', MANAGER);
  if (existing.length > 0) {
    process.stdout.write('DEMO_SEED_SKIPPED the store already has coupons\n');
    return;
  }
  const create = (body: unknown) => api.ok<CouponTemplateView>('POST', '/admin/coupon-templates', MANAGER, body);
  const samples: CouponTemplateView[] = [];
  for (const body of sampleCoupons(start)) samples.push(await create(body));
  const shop: CouponTemplateView[] = [];
  for (const body of pointsShopItems(start)) shop.push(await create(body));
  step(started, `Put ${samples.length} sample coupons in 领券中心, ${shop.length} items in 积分商城`);

  started = Date.now();
  const welcome = samples[0];
  const coupons = new Map<string, string>(); // user → the welcome coupon's code
  const points = new Map<string, number>();
  const counts = { joined: 0, purchases: 0, refunds: 0, couponsUsed: 0, pointsBurned: 0, exchanges: 0 };
  const queue: Happening[] = [];
  const joined: string[] = [];
  const at = (time: number, run: () => Promise<void>) => queue.push({ at: time, run });

  const join = async (member: Pick<DemoMember, 'user' | 'nickname' | 'phone' | 'birthday' | 'subscribes' | 'claimsWelcomeCoupon'>) => {
    const { code: phoneCode } = await api.emulator<{ code: string }>('/dev/phone-code', { user: member.user, phoneNumber: member.phone });
    await api.ok('POST', '/members/me/join', member.user, {
      privacyAccepted: true,
      privacyPolicyVersion: config.privacy.policyVersion,
      phoneCode,
    });
    await api.ok('PATCH', '/members/me', member.user, { nickname: member.nickname });
    if (member.birthday) await api.ok('PUT', '/members/me/birthday', member.user, { birthday: member.birthday });
    if (member.subscribes) {
      const preferences = await api.ok<MessagePreferencesResponse>('GET', '/messages/preferences', member.user);
      const templateId = preferences.kinds.find((k) => k.kind === 'coupon_arrived')!.templateId;
      const { errMsg: _errMsg, ...results } = await api.emulator('/dev/subscribe', { user: member.user, tmplIds: [templateId] });
      await api.ok('POST', '/messages/subscriptions', member.user, { results, moment: 'notify_me', idempotencyKey: api.key('subscribe') });
    }
    if (member.claimsWelcomeCoupon) {
      const coupon = await api.ok<CouponView>('POST', `/coupons/templates/${welcome.id}/claim`, member.user, {
        idempotencyKey: api.key('claim'),
      });
      coupons.set(member.user, coupon.code);
    }
    counts.joined++;
    joined.push(member.user);
  };

  /** Records a purchase at the till as the store manager does: the member shows the code, the manager types it. */
  const buy = async (purchase: DemoPurchase, couponCode?: string): Promise<number> => {
    const memberCode = async (): Promise<string> => (await api.ok<MemberCodeResponse>('GET', '/members/me/code', purchase.user)).code;
    const order = { amountFen: purchase.amountFen, storeCode: purchase.storeCode, ...(couponCode ? { couponCode } : {}) };
    // Points pay part of what is due after the member price and the coupon, which depend on the member's tier on
    // the day: ask the till's quote for the most this order allows (0 below the minimum), as the clerk's screen shows it.
    const burn = purchase.burnPoints
      ? (await api.ok<TillQuote>('POST', '/staff/purchases/quote', MANAGER, { ...order, memberCode: await memberCode() })).maxBurnPoints
      : 0;
    const recorded = await api.ok<PurchaseView>('POST', '/staff/purchases', MANAGER, {
      ...order,
      memberCode: await memberCode(),
      ...(burn > 0 ? { pointsToBurn: burn } : {}),
      idempotencyKey: api.key('till'),
    });
    points.set(purchase.user, recorded.member.pointsBalance);
    counts.purchases++;
    if (couponCode) counts.couponsUsed++;
    if (burn > 0) counts.pointsBurned++;
    return recorded.id;
  };

  for (const [index, member] of plan.members.entries()) at(dayTime(member.joinedDaysAgo, -50 + index), () => join(member));
  for (const purchase of plan.purchases) {
    const time = dayTime(purchase.daysAgo, purchase.minute);
    at(time, async () => {
      const code = purchase.useWelcomeCoupon ? coupons.get(purchase.user) : undefined;
      if (purchase.useWelcomeCoupon && !code) return;
      const id = await buy(purchase, code);
      if (!purchase.refund) return;
      const amountFen = purchase.refund === 'full' ? purchase.amountFen : Math.floor(purchase.amountFen / 3);
      at(Math.min(time + DAY_MS, now - 300_000), async () => {
        const refunded = await api.ok<RefundView>('POST', `/staff/purchases/${id}/refunds`, MANAGER, {
          amountFen,
          refundNo: api.key('refund'),
        });
        points.set(purchase.user, refunded.purchase.member.pointsBalance);
        counts.refunds++;
      });
    });
  }
  // Points-shop exchanges by whoever has the points by then.
  for (const member of plan.members.filter((m) => m.kind === 'vip' || m.kind === 'regular'))
    at(dayTime(12, 300), async () => {
      const balance = points.get(member.user) ?? 0;
      // The dearest item the member can afford (满300减50, else 10元无门槛券).
      const item = [shop[1], shop[0]].find((t) => balance >= (t.pointsPrice ?? Infinity));
      if (!item) return;
      await api.ok('POST', `/points-shop/${item.id}/exchange`, member.user, { idempotencyKey: api.key('exchange') });
      points.set(member.user, balance - item.pointsPrice!);
      counts.exchanges++;
    });
  // The demo manager's own card (?user=clerk): a member with a few purchases' worth of points.
  at(dayTime(60, -60), () =>
    join({ user: MANAGER, nickname: '演示店长', phone: '13900009999', birthday: null, subscribes: true, claimsWelcomeCoupon: false }),
  );
  for (const [daysAgo, amountFen] of [
    [52, 36_800],
    [24, 12_900],
    [3, 58_800],
  ])
    at(dayTime(daysAgo, 420), async () => void (await buy({ ...blankPurchase(MANAGER), daysAgo, amountFen })));
  // …and a coupon still usable in the wallet (满200减20 lasts 7 days from the claim).
  at(dayTime(1, 90), async () => {
    await api.ok('POST', `/coupons/templates/${welcome.id}/claim`, MANAGER, { idempotencyKey: api.key('claim') });
  });
  let campaignId = 0;
  at(dayTime(CAMPAIGN_DAYS_AGO, 0), async () => {
    campaignId = await runCampaign(api, app, clock, joined, (user, time) =>
      at(time, async () => {
        const wallet = await api.ok<WalletResponse>('GET', '/coupons/wallet?tab=usable', user);
        const gift = wallet.coupons.find((c) => c.name === '回归礼券');
        if (gift) await buy({ ...blankPurchase(user), amountFen: 16_800 + (time % 97) * 100 }, gift.code);
      }),
    );
  });

  while (queue.length > 0) {
    queue.sort((a, b) => a.at - b.at);
    const next = queue.shift()!;
    if (next.at > clock.now().getTime()) clock.set(new Date(next.at));
    await next.run();
  }
  step(
    started,
    `Play 97 days: ${counts.joined} members join, ${counts.purchases} purchases (${counts.couponsUsed} with a coupon, ` +
      `${counts.pointsBurned} with points, ${counts.refunds} refunded), ${counts.exchanges} points-shop exchanges`,
  );

  started = Date.now();
  const payers = plan.members.filter((m) => m.kind === 'regular').map((m) => m.user);
  const paid = await payInApp(api, app, clock, config, payers.slice(0, 3));
  if (paid > 0) step(started, `Pay ${paid} orders in the app with WeChat Pay (支付订单)`);

  started = Date.now();
  clock.set(new Date());
  const jobs = app.get(JobScheduler);
  for (const job of ['coupon-expiry', 'points-expiry', 'membership-review']) await jobs.runNow(job);
  const refresh = await api.ok<SegmentsRefreshResponse>('POST', '/admin/segments/refresh', MANAGER);
  const report = await api.ok<CampaignView>('GET', `/admin/campaigns/${campaignId}`, MANAGER);
  const run = report.runs[0];
  step(
    started,
    `Campaign 回归礼券: ${run.targeted} targeted, ${run.couponsIssued} coupons, ${run.messages.sent} messages, ` +
      `${run.couponsRedeemed} redeemed; RFM: ${refresh.scoredMembers} of ${refresh.members} members ranked`,
  );

  // 数据看板 reads daily snapshots: take them for every day the demo played, as the hourly job would have.
  started = Date.now();
  const today = DateTime.fromMillis(now, { zone }).toISODate()!;
  const first = DateTime.fromMillis(start, { zone }).toISODate()!;
  const snapshots = await api.ok<MetricsBackfillResponse>('POST', '/staff/metrics/backfill', MANAGER, { from: first, to: today });
  step(started, `Daily metrics for 数据看板: ${snapshots.days} days snapshotted`);
}

/**
 * 支付订单: a few members pay in the app with WeChat Pay just now, as the app does (order, the emulator's
 * cashier, WeChat's signed notification back to this process, listening where the server will). WeChat Pay
 * signs with the real clock and the server refuses notifications more than 5 minutes off, so these happen at
 * the real now, not in the replayed past.
 */
async function payInApp(
  api: DemoApi,
  app: NestFastifyApplication,
  clock: ManualClock,
  config: AppConfig,
  users: string[],
): Promise<number> {
  if (!config.wechatPay) return 0;
  await app.listen({ port: config.server.port, host: config.server.host });
  let paid = 0;
  for (const [index, user] of users.entries()) {
    clock.set(new Date());
    const created = await api.ok<CreatePayOrderResponse>('POST', '/pay/orders', user, {
      amountFen: [3_800, 12_800, 6_600][index % 3],
      storeCode: index % 2 === 0 ? 'S001' : 'S002',
      idempotencyKey: api.key('app-order'),
    });
    const cashier = await api.emulator<{ errMsg: string }>('/dev/pay/request-payment', { user, ...created.payment });
    if (cashier.errMsg !== 'requestPayment:ok') throw new Error(`the emulator's cashier answered ${cashier.errMsg}`);
    for (let poll = 0; poll < 100; poll++) {
      clock.set(new Date());
      const order = await api.ok<{ order: PayOrderView }>('GET', `/pay/orders/${created.order.outTradeNo}`, user);
      if (order.order.status === 'paid') {
        paid++;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return paid;
}

function blankPurchase(user: string): DemoPurchase {
  return { user, daysAgo: 0, minute: 0, amountFen: 0, storeCode: 'S002', burnPoints: false, refund: null, useWelcomeCoupon: false };
}

/**
 * The finished campaign of the report page: 回归礼券 (¥30 off ¥150, 14 days) and its message to members who have
 * not bought for two weeks, a tenth held out; launched, run by the scheduler and sent at 10:00 (outside quiet
 * hours). About half the members who got it come back within ten days (`comeBack` schedules those purchases).
 */
async function runCampaign(
  api: DemoApi,
  app: NestFastifyApplication,
  clock: ManualClock,
  joined: readonly string[],
  comeBack: (user: string, at: number) => void,
): Promise<number> {
  const now = clock.now().getTime();
  const template = await api.ok<CouponTemplateView>('POST', '/admin/coupon-templates', MANAGER, {
    name: '回归礼券',
    terms: {
      kind: 'cash_off',
      valueFen: 3000,
      thresholdFen: 15000,
      percentPermille: null,
      capFen: null,
      giftName: null,
      stacksWithMemberDiscount: false,
    },
    totalStock: 500,
    perMemberLimit: 1,
    validity: { type: 'relative', validDays: 14 },
    // Given by the campaign only: its claim window has already closed, so the claim centre does not show it.
    claimStartsAt: new Date(now - 120_000).toISOString(),
    claimEndsAt: new Date(now - 60_000).toISOString(),
    audience: 'all',
  });
  const campaign = await api.ok<CampaignView>('POST', '/admin/campaigns', MANAGER, {
    name: '两周未到店 · 回归礼',
    filter: { lastPurchaseDaysMin: 14 },
    couponTemplateId: template.id,
    points: 0,
    messageKind: 'coupon_arrived',
    offerText: null,
    schedule: 'now',
    startsAt: null,
    dormantDays: null,
    daysBefore: null,
    holdoutPermille: 100,
    idempotencyKey: api.key('campaign'),
  });
  await api.ok('POST', `/admin/campaigns/${campaign.id}/launch`, MANAGER);
  await app.get(JobScheduler).runNow('campaign-scheduler');
  const sender = app.get(OutboxSender);
  for (let pass = 0; pass < 20; pass++) {
    const summary = await sender.runOnce();
    clock.advance(1);
    if (summary.claimed === 0) break;
  }
  // Who got the coupon is in their wallets; every other one of them comes back.
  for (const [index, user] of (await campaignHolders(api, joined)).entries())
    if (index % 2 === 0) comeBack(user, now + (1 + (index % 9)) * DAY_MS + 3 * 3_600_000);
  return campaign.id;
}

/** Members (of those joined so far) whose wallet holds 回归礼券 now. */
async function campaignHolders(api: DemoApi, joined: readonly string[]): Promise<string[]> {
  const holders: string[] = [];
  for (const member of joined) {
    const wallet = await api.ok<WalletResponse>('GET', '/coupons/wallet?tab=usable', member);
    if (wallet.coupons.some((c) => c.name === '回归礼券')) holders.push(member);
  }
  return holders;
}

async function main(): Promise<number> {
  const emulatorUrl = process.env.WECHAT_API_BASE;
  if (!emulatorUrl) throw new Error('WECHAT_API_BASE (the emulator) is required');
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: 'error',
    // Nothing runs by timer while history is replayed: the seed runs each job itself at its moment.
    MESSAGE_SENDER_EVERY_SECONDS: '0',
    CAMPAIGN_SCHEDULER_EVERY_SECONDS: '0',
    // Every sample member logs in from this one process.
    THROTTLE_LOGIN_PER_IP_PER_MINUTE: '1000000',
    THROTTLE_PHONE_PER_IP_PER_MINUTE: '1000000',
  });
  // WeChat (the emulator, on real time) limits how often one user may log in; replayed history would log the
  // manager in hundreds of times within seconds. So sessions of this process outlive its 97 days of history.
  config.session.ttlSeconds = 120 * 86_400;
  if (config.database.url) throw new Error('the demo seeds only the embedded SQLite file, never a DATABASE_URL');
  const clock = new ManualClock(new Date(seedMoment()));
  // sql.js writes the whole file after every transaction (autoSave); the seed's thousand transactions save it once.
  const dataSource = await openDatabase({ ...dataSourceOptions(config.database), autoSave: false } as DataSourceOptions);
  const app = await createApp({ config, clock, dataSource });
  await app.init();
  // Since this process began: Node, Nest's modules, the database file and its migrations.
  process.stdout.write(`DEMO_SEED_STEP ${Math.round(process.uptime() * 1000)} Open the demo store to seed it\n`);
  try {
    await seed(app, clock, config, emulatorUrl);
    await dataSource.sqljsManager.saveDatabase();
  } finally {
    await app.close();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `${(error as Error).stack}\n`);
    process.exit(1);
  },
);
