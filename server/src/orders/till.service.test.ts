import type { IdentifiedMemberView } from '@member/shared';
import { StaffService, type StaffAccount } from '../auth/staff.service';
import { checkTillTicket, signTillTicket, tillTicketKey } from '../auth/till-ticket';
import { DomainError } from '../common/domain-error';
import { ClaimService } from '../coupons/claim.service';
import { StaffCouponsController } from '../coupons/staff-coupons.controller';
import { TemplatesService } from '../coupons/templates.service';
import { issueMemberCode } from '../members/member-code';
import { StaffMembersController } from '../members/staff-members.controller';
import { insertJoinedMembers, templateRequest } from '../testing/coupon-fixtures';
import { TEST_DATABASES } from '../testing/databases';
import { expectInvariants } from '../testing/invariants';
import { startTestApp, type TestApp } from '../testing/test-app';
import { StaffPurchasesController } from './purchases.controller';
import { PurchasesService } from './purchases.service';
import { StaffSalesController } from './sales.controller';

const codeOf = async (work: Promise<unknown>) => {
  try {
    await work;
    return 'no error';
  } catch (error) {
    return error instanceof DomainError ? error.code : error;
  }
};
const START = '2026-11-23T02:00:00Z'; // 10:00 in Shanghai
let keySeq = 0;
const key = () => `till-key-${++keySeq}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * Issue 16, the till: identifying a member hands the clerk a ticket (this clerk, this member, this store, ten
 * minutes) that record purchase and redeem take instead of the rotating code; the sales history and the day
 * summary read only the clerk's stores; a refund from the history and one from elsewhere share one ceiling.
 * Driven through the controllers (as the HTTP routes call them) with real staff accounts.
 */
describe.each(TEST_DATABASES)('the till on %s', (kind) => {
  let t: TestApp;
  let clerkA: StaffAccount;
  let clerkA2: StaffAccount;
  let clerkB: StaffAccount;
  let admin: StaffAccount;
  let members: number[];
  let next = 0;
  const codeFor = (memberId: number) =>
    issueMemberCode({ secret: t.config.security.memberCodeSecret, ...t.config.memberCode }, memberId, t.clock.now()).code;
  const identify = (staff: StaffAccount, memberId: number, storeCode?: string): Promise<IdentifiedMemberView> =>
    t.app.get(StaffMembersController).verify(staff, { code: codeFor(memberId), ...(storeCode ? { storeCode } : {}) });
  const buy = (staff: StaffAccount, body: Record<string, unknown>) =>
    t.app.get(StaffPurchasesController).record(staff, {}, { amountFen: 10_000, idempotencyKey: key(), ...body });

  beforeAll(async () => {
    t = await startTestApp(kind);
    t.clock.set(START);
    const staff = t.app.get(StaffService);
    await staff.bind('o-till-a', 'clerk', '小王', ['S001']);
    await staff.bind('o-till-a2', 'clerk', '小张', ['S001']);
    await staff.bind('o-till-b', 'clerk', '小李', ['S002']);
    await staff.bind('o-till-hq', 'admin', '总部', []);
    [clerkA, clerkA2, clerkB, admin] = await Promise.all(
      ['o-till-a', 'o-till-a2', 'o-till-b', 'o-till-hq'].map(async (o) => (await staff.accountOf(o))!),
    );
    members = await insertJoinedMembers(t.db.dataSource, 12, `till-${kind}`, new Date('2026-11-20T00:00:00Z'));
  });
  afterAll(() => t?.close());
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));

  it('a slow clerk finishes the sale with the ticket after the member code expired; the raw code is refused by then', async () => {
    const memberId = members[next++];
    const code = codeFor(memberId);
    const identified = await t.app.get(StaffMembersController).verify(clerkA, { code });
    expect(identified).toMatchObject({ id: memberId, tillStoreCode: 'S001' });
    expect(new Date(identified.tillTicketExpiresAt).getTime() - t.clock.now().getTime()).toBe(
      t.config.staffAccess.tillTicketSeconds * 1000,
    );

    t.clock.advance(5 * 60);
    expect(await codeOf(buy(clerkA, { memberCode: code }))).toBe('MEMBER_CODE_EXPIRED');
    const sale = await buy(clerkA, { tillTicket: identified.tillTicket });
    expect(sale).toMatchObject({ memberId, storeCode: 'S001', paidFen: 10_000, pointsEarned: 100 });

    // The raw code still works for callers that send it while it is fresh.
    const fresh = await buy(clerkA, { memberCode: codeFor(memberId) });
    expect(fresh.memberId).toBe(memberId);
  });

  it('quotes 应付 before confirming with the rules the purchase applies, then records exactly that', async () => {
    const memberId = members[next++];
    const purchases = t.app.get(PurchasesService);
    await purchases.record({ memberCode: codeFor(memberId), amountFen: 100_000, storeCode: 'S001', idempotencyKey: key() }, 'o-till-a');
    const templateId = (await t.app.get(TemplatesService).create(templateRequest(t.clock.now(), { totalStock: 10, perMemberLimit: 1 }))).id;
    const coupon = await t.app.get(ClaimService).claim(memberId, templateId, key());
    const { tillTicket } = await identify(clerkA, memberId);
    t.clock.advance(4 * 60);
    const controller = t.app.get(StaffPurchasesController);
    const body = { tillTicket, amountFen: 30_000, couponCode: coupon.code, pointsToBurn: 500 };
    const quote = await controller.quote(clerkA, body);
    expect(quote).toMatchObject({ storeCode: 'S001', grossFen: 30_000, pointsBurned: 500, pointsValueFen: 500, pointsBalance: 1_000 });
    expect(quote.couponDiscountFen).toBeGreaterThan(0);
    expect(quote.payableFen).toBe(30_000 - quote.couponDiscountFen - 500);
    expect(await codeOf(controller.quote(clerkA, { ...body, pointsToBurn: 900_000 }))).toBe('POINTS_BURN_TOO_LARGE');
    // A fresh code works too, and a wrong one is refused (and counted towards the lockout, as at verify).
    const fresh = codeFor(memberId);
    expect((await controller.quote(clerkA, { memberCode: fresh, amountFen: 30_000 })).memberId).toBe(memberId);
    const wrong = fresh.slice(0, -1) + String((Number(fresh.slice(-1)) + 1) % 10);
    expect(await codeOf(controller.quote(clerkA, { memberCode: wrong, amountFen: 30_000 }))).toBe('MEMBER_CODE_INVALID');
    const sale = await buy(clerkA, { ...body });
    expect(sale.paidFen).toBe(quote.payableFen);
  });

  it('refuses a ticket that is expired, another clerk’s, for another store, or forged, each with its own code', async () => {
    const memberId = members[next++];
    const { tillTicket } = await identify(clerkA, memberId);
    expect(await codeOf(buy(clerkA2, { tillTicket }))).toBe('TILL_TICKET_NOT_YOURS');
    expect(await codeOf(buy(admin, { tillTicket, storeCode: 'S001' }))).toBe('TILL_TICKET_NOT_YOURS');

    const { tillTicket: hqTicket } = await identify(admin, memberId, 'S002');
    expect(await codeOf(buy(admin, { tillTicket: hqTicket, storeCode: 'S003' }))).toBe('TILL_TICKET_NOT_YOURS');
    expect((await buy(admin, { tillTicket: hqTicket })).storeCode).toBe('S002');

    const [payload, signature] = tillTicket.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as unknown[];
    const other = Buffer.from(JSON.stringify([claims[0], claims[1], members[next], claims[3], claims[4]])).toString('base64url');
    expect(await codeOf(buy(clerkA, { tillTicket: `${other}.${signature}` }))).toBe('TILL_TICKET_INVALID');
    const wrongKey = signTillTicket(tillTicketKey('not-the-secret'), {
      staffId: clerkA.id,
      memberId,
      storeCode: 'S001',
      expiresAt: new Date(t.clock.now().getTime() + 60_000),
    });
    expect(await codeOf(buy(clerkA, { tillTicket: wrongKey }))).toBe('TILL_TICKET_INVALID');

    t.clock.advance(t.config.staffAccess.tillTicketSeconds);
    expect(await codeOf(buy(clerkA, { tillTicket }))).toBe('TILL_TICKET_EXPIRED');
  });

  it('the ticket is pure and checks its signature before anything it claims', () => {
    const secretKey = tillTicketKey('s');
    const now = new Date(START);
    const ticket = signTillTicket(secretKey, { staffId: 7, memberId: 9, storeCode: null, expiresAt: new Date(now.getTime() + 1000) });
    expect(checkTillTicket(secretKey, ticket, { staffId: 7, storeCode: 'S003', now })).toMatchObject({ ok: true, claims: { memberId: 9 } });
    expect(checkTillTicket(secretKey, `${ticket}x`, { staffId: 7, storeCode: null, now })).toEqual({
      ok: false,
      reason: 'TILL_TICKET_INVALID',
    });
    expect(checkTillTicket(secretKey, 'a.b.c', { staffId: 7, storeCode: null, now })).toEqual({ ok: false, reason: 'TILL_TICKET_INVALID' });
    expect(checkTillTicket(secretKey, ticket, { staffId: 8, storeCode: null, now: new Date(now.getTime() + 5000) })).toEqual({
      ok: false,
      reason: 'TILL_TICKET_EXPIRED',
    });
  });

  it('redeems a coupon with the ticket: the member and the store come from it, another member’s coupon is refused', async () => {
    const memberId = members[next++];
    const otherId = members[next++];
    const templates = t.app.get(TemplatesService);
    const templateId = (await templates.create(templateRequest(t.clock.now(), { totalStock: 10, perMemberLimit: 1 }))).id;
    const mine = await t.app.get(ClaimService).claim(memberId, templateId, key());
    const theirs = await t.app.get(ClaimService).claim(otherId, templateId, key());
    const { tillTicket } = await identify(clerkA, memberId);
    t.clock.advance(3 * 60);
    const coupons = t.app.get(StaffCouponsController);
    expect(await codeOf(coupons.redeem(clerkA, {}, { code: theirs.code, orderAmountFen: 30_000, tillTicket }))).toBe('COUPON_OTHER_MEMBER');
    expect(await codeOf(coupons.redeem(clerkB, {}, { code: mine.code, orderAmountFen: 30_000, tillTicket }))).toBe('TILL_TICKET_NOT_YOURS');
    const redeemed = await coupons.redeem(clerkA, {}, { code: mine.code, orderAmountFen: 30_000, tillTicket, idempotencyKey: key() });
    expect(redeemed.memberId).toBe(memberId);
  });

  it('lists a store’s sales of a day, newest first, paged by id; a clerk never sees another store; HQ sees all', async () => {
    t.clock.set('2026-11-24T01:00:00Z'); // 09:00 Shanghai, a fresh day
    const purchases = t.app.get(PurchasesService);
    const memberId = members[next++];
    const at = async (store: string, amountFen: number) =>
      purchases.record({ memberCode: codeFor(memberId), amountFen, storeCode: store, idempotencyKey: key() }, 'o-till-a');
    const a1 = await at('S001', 1_000);
    const b1 = await at('S002', 2_000);
    const a2 = await at('S001', 3_000);
    const a3 = await at('S001', 4_000);
    const sales = t.app.get(StaffSalesController);

    const first = await sales.list(clerkA, { limit: 2 });
    expect(first.date).toBe('2026-11-24');
    expect(first.sales.map((s) => s.id)).toEqual([a3.id, a2.id]);
    const second = await sales.list(clerkA, { limit: 2, before: first.nextBefore! });
    expect(second.sales.map((s) => s.id)).toEqual([a1.id]);
    expect(second.nextBefore).toBeNull();
    expect(second.sales[0]).toMatchObject({ receiptNo: String(a1.id).padStart(6, '0'), channel: 'till', paidFen: 1_000, refundedFen: 0 });

    expect(await codeOf(sales.list(clerkA, { limit: 20, storeCode: 'S002' }))).toBe('STORE_NOT_YOURS');
    expect((await sales.list(clerkA, { limit: 20, receipt: String(b1.id) })).sales).toEqual([]);
    expect((await sales.list(clerkB, { limit: 20, receipt: String(b1.id).padStart(6, '0') })).sales.map((s) => s.id)).toEqual([b1.id]);
    expect((await sales.list(admin, { limit: 20 })).sales.map((s) => s.id)).toEqual([a3.id, a2.id, b1.id, a1.id]);
    expect((await sales.list(clerkA, { limit: 20, date: '2026-11-23' })).sales.every((s) => s.id < a1.id)).toBe(true);
    // Store codes are exact on both databases: MySQL's collation once gave HQ S001's sales for `s001`, SQLite none.
    expect((await sales.list(admin, { limit: 20, storeCode: 's001' })).sales).toEqual([]);
    expect((await sales.list(admin, { limit: 20, storeCode: 'S001' })).sales.map((s) => s.id)).toEqual([a3.id, a2.id, a1.id]);

    // By member: only after identifying them (the ticket), and only this store's.
    const { tillTicket } = await identify(clerkB, memberId);
    expect((await sales.list(clerkB, { limit: 20, tillTicket })).sales.map((s) => s.id)).toEqual([b1.id]);
    expect(await codeOf(sales.list(clerkA, { limit: 20, tillTicket }))).toBe('TILL_TICKET_NOT_YOURS');
  });

  it('summarises the day at the clerk’s store: sales, refunds, redemptions and new members', async () => {
    t.clock.set('2026-11-25T01:00:00Z');
    const purchases = t.app.get(PurchasesService);
    const [newcomer] = await insertJoinedMembers(t.db.dataSource, 1, `till-new-${kind}`, t.clock.now());
    const regular = members[next++];
    const sale = await purchases.record(
      { memberCode: codeFor(newcomer), amountFen: 5_000, storeCode: 'S001', idempotencyKey: key() },
      'o-till-a',
    );
    await purchases.record({ memberCode: codeFor(regular), amountFen: 7_000, storeCode: 'S001', idempotencyKey: key() }, 'o-till-a');
    await purchases.record({ memberCode: codeFor(regular), amountFen: 9_000, storeCode: 'S002', idempotencyKey: key() }, 'o-till-b');
    await purchases.refund(sale.id, { amountFen: 2_000, refundNo: key() }, 'o-till-a');
    const templateId = (await t.app.get(TemplatesService).create(templateRequest(t.clock.now(), { totalStock: 10, perMemberLimit: 1 }))).id;
    const coupon = await t.app.get(ClaimService).claim(regular, templateId, key());
    const { tillTicket } = await identify(clerkA, regular);
    await t.app
      .get(StaffCouponsController)
      .redeem(clerkA, {}, { code: coupon.code, orderAmountFen: 30_000, tillTicket, idempotencyKey: key() });

    const sales = t.app.get(StaffSalesController);
    expect(await sales.summary(clerkA, {})).toEqual({
      date: '2026-11-25',
      storeCode: null,
      salesCount: 2,
      salesFen: 12_000,
      refundedFen: 2_000,
      redemptions: 1,
      newMembers: 1,
    });
    expect(await sales.summary(clerkB, {})).toMatchObject({ salesCount: 1, salesFen: 9_000, redemptions: 0, newMembers: 0 });
    expect(await sales.summary(admin, {})).toMatchObject({ salesCount: 3, salesFen: 21_000, newMembers: 1 });
    expect(await codeOf(sales.summary(clerkB, { storeCode: 'S001' }))).toBe('STORE_NOT_YOURS');
    expect(await sales.summary(admin, { storeCode: 's001' })).toMatchObject({ salesCount: 0, salesFen: 0, redemptions: 0 });
  });

  it('a refund from the sales history and one from elsewhere at the same time: one ceiling, the same number answers once', async () => {
    const memberId = members[next++];
    const purchases = t.app.get(PurchasesService);
    const sale = await purchases.record(
      { memberCode: codeFor(memberId), amountFen: 10_000, storeCode: 'S001', idempotencyKey: key() },
      'o-till-a',
    );
    const controller = t.app.get(StaffPurchasesController);
    const fromHistory = key();
    const results = await Promise.allSettled([
      controller.refund(clerkA, {}, sale.id, { amountFen: 10_000, refundNo: fromHistory }),
      controller.refund(clerkA2, {}, sale.id, { amountFen: 10_000, refundNo: key() }),
      controller.refund(clerkA, {}, sale.id, { amountFen: 10_000, refundNo: fromHistory }),
    ]);
    const done = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<{ id: number }>).value.id);
    const refused = results.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as DomainError).code);
    expect(new Set(done).size).toBe(1);
    expect(refused.every((code) => code === 'REFUND_EXCEEDS_PAID')).toBe(true);
    expect((await purchases.get(sale.id)).refundedFen).toBe(10_000);
    expect(await codeOf(controller.refund(clerkB, {}, sale.id, { amountFen: 1, refundNo: key() }))).toBe('STORE_NOT_YOURS');
  });
});
