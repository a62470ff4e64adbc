import { TestApi } from '../support/api-client';
import { invariantsAfterEach } from '../support/invariants';
import { startStack, type Stack } from '../support/stack';

const POLICY = '2026-11';

/**
 * Issue 16 over real HTTP: identifying a member hands the clerk a till ticket that record purchase, the quote and
 * redeem take instead of the 60-second code; another clerk's, another store's, an expired or a forged ticket is
 * refused with its own code; the sales history and summary show a clerk their own store only.
 */
describe('the till ticket and the sales history end to end', () => {
  let stack: Stack;
  invariantsAfterEach(() => stack);
  let api: TestApi;
  let clerk: string;
  let clerk2: string;
  let hq: string;

  beforeAll(async () => {
    stack = await startStack({
      database: 'mariadb',
      staff: [
        { user: 'tt-till', role: 'clerk', stores: ['S001'] },
        { user: 'tt-till-2', role: 'clerk', stores: ['S002'] },
        { user: 'tt-hq', role: 'admin' },
      ],
    });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    clerk = (await api.login('tt-till')).token;
    clerk2 = (await api.login('tt-till-2')).token;
    hq = (await api.login('tt-hq')).token;
  });
  afterAll(() => stack?.stop());

  const codeOf = async (token: string) => (await api.call('GET', '/members/me/code', { token })).body.code as string;
  const clock = async (at: number) =>
    expect((await api.call('POST', '/test/clock', { body: { now: new Date(at).toISOString() } })).status).toBe(200);

  it('a ticket outlives the member code for its clerk and store only; expired and forged ones are refused', async () => {
    const start = Date.now();
    await clock(start);
    const shopper = await api.joinedMember('tt-shopper', '13700002222', POLICY);
    const code = await codeOf(shopper.token);
    const identified = await api.call('POST', '/staff/member-code/verify', { token: clerk, body: { code } });
    expect(identified.status).toBe(200);
    expect(identified.body).toMatchObject({ id: shopper.memberId, tillStoreCode: 'S001' });
    const ticket = identified.body.tillTicket as string;

    await clock(start + 4 * 60_000);
    const buy = (token: string, body: Record<string, unknown>) =>
      api.call('POST', '/staff/purchases', {
        token,
        body: { amountFen: 20_000, idempotencyKey: `tt-${Math.random().toString(36).slice(2)}`, ...body },
      });
    expect((await buy(clerk, { memberCode: code })).body.code).toBe('MEMBER_CODE_EXPIRED');
    const quote = await api.call('POST', '/staff/purchases/quote', { token: clerk, body: { tillTicket: ticket, amountFen: 20_000 } });
    expect(quote.body).toMatchObject({ storeCode: 'S001', payableFen: 20_000, pointsBalance: 0 });
    const sale = await buy(clerk, { tillTicket: ticket });
    expect(sale.status).toBe(200);
    expect(sale.body).toMatchObject({ memberId: shopper.memberId, storeCode: 'S001', paidFen: 20_000 });

    expect((await buy(clerk2, { tillTicket: ticket })).body.code).toBe('TILL_TICKET_NOT_YOURS');
    expect((await buy(clerk, { tillTicket: ticket, storeCode: 'S002' })).body.code).toBe('STORE_NOT_YOURS');
    expect((await buy(hq, { tillTicket: ticket, storeCode: 'S001' })).body.code).toBe('TILL_TICKET_NOT_YOURS');
    const [payload, signature] = ticket.split('.');
    const forged = `${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await buy(clerk, { tillTicket: forged })).body.code).toBe('TILL_TICKET_INVALID');
    expect((await buy(clerk, { tillTicket: ticket, memberCode: code })).body.code).toBe('VALIDATION_FAILED');
    expect((await buy(clerk, {})).body.code).toBe('VALIDATION_FAILED');

    await clock(start + 11 * 60_000);
    const late = await buy(clerk, { tillTicket: ticket });
    expect(late.status).toBe(410);
    expect(late.body.code).toBe('TILL_TICKET_EXPIRED');
  });

  it('lists and sums a store’s sales for its own staff, finds a receipt, and pages by id', async () => {
    const shopper = await api.joinedMember('tt-shopper-2', '13700003333', POLICY);
    await clock(Date.now());
    const ids: number[] = [];
    for (const [token, amountFen] of [
      [clerk, 1_000],
      [clerk2, 2_000],
      [clerk, 3_000],
    ] as const) {
      const sale = await api.call('POST', '/staff/purchases', {
        token,
        body: { memberCode: await codeOf(shopper.token), amountFen, idempotencyKey: `tt-list-${amountFen}` },
      });
      expect(sale.status).toBe(200);
      ids.push(sale.body.id);
    }
    const mine = await api.call('GET', '/staff/sales?limit=1', { token: clerk });
    expect(mine.body.sales.map((s: { id: number }) => s.id)).toEqual([ids[2]]);
    const next = await api.call('GET', `/staff/sales?limit=1&before=${mine.body.nextBefore}`, { token: clerk });
    expect(next.body.sales.map((s: { id: number }) => s.id)).toEqual([ids[0]]);
    expect((await api.call('GET', '/staff/sales?storeCode=S002', { token: clerk })).body.code).toBe('STORE_NOT_YOURS');
    expect((await api.call('GET', `/staff/sales?receipt=${ids[1]}`, { token: clerk })).body.sales).toEqual([]);
    const receipt = String(ids[1]).padStart(6, '0');
    expect((await api.call('GET', `/staff/sales?receipt=${receipt}`, { token: clerk2 })).body.sales[0]).toMatchObject({
      receiptNo: receipt,
      paidFen: 2_000,
    });
    expect((await api.call('GET', '/staff/sales?date=2026-13-01', { token: clerk })).body.code).toBe('VALIDATION_FAILED');
    expect((await api.call('GET', '/staff/sales?limit=500', { token: clerk })).body.code).toBe('VALIDATION_FAILED');
    expect((await api.call('GET', '/staff/sales', { token: shopper.token })).status).toBe(403);

    const summary = await api.call('GET', '/staff/sales/summary', { token: clerk2 });
    expect(summary.body).toMatchObject({ storeCode: null, salesCount: 1, salesFen: 2_000, refundedFen: 0 });
    const all = await api.call('GET', '/staff/sales/summary', { token: hq });
    expect(all.body.salesCount).toBeGreaterThanOrEqual(3);
  });
});
