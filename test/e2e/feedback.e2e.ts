import { TestApi } from '../support/api-client';
import { invariantsAfterEach } from '../support/invariants';
import { startStack, type Stack } from '../support/stack';

const POLICY = '2026-11';
/** The smallest PNG there is (1×1): enough for the server to read its type from the bytes. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const key = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

/**
 * Issue 17 part 3 over real HTTP: a member raises a complaint with a photo, staff of the right store (or HQ)
 * answer it from the queue, resolve it with goodwill within their role's limit (audited, once however often the
 * request is sent), the member sees the reply and the goodwill and rates it; a clerk logs a case at the till;
 * HQ adjusts points by hand and reads the report.
 */
describe('service recovery end to end', () => {
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
        { user: 'fb-clerk', role: 'clerk', stores: ['S001'] },
        { user: 'fb-clerk-2', role: 'clerk', stores: ['S002'] },
        { user: 'fb-hq', role: 'admin' },
      ],
    });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    clerk = (await api.login('fb-clerk')).token;
    clerk2 = (await api.login('fb-clerk-2')).token;
    hq = (await api.login('fb-hq')).token;
  });
  afterAll(() => stack?.stop());

  async function upload(token: string, bytes: Buffer, type = 'image/png') {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)], { type }), 'photo.png');
    const response = await fetch(`${stack.serverUrl}/api/feedback/photos`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('a member complains online with a photo; HQ replies and resolves with points once; the member rates it', async () => {
    const shopper = await api.joinedMember('fb-shopper', '13700005555', POLICY);
    const other = await api.joinedMember('fb-other', '13700005556', POLICY);
    expect((await api.call('GET', '/feedback/options', { token: shopper.token })).body.categories).toContainEqual({
      code: 'service',
      label: '服务态度',
    });
    expect((await upload(shopper.token, Buffer.from('not an image'))).body.code).toBe('FEEDBACK_PHOTO_INVALID');
    const photo = await upload(shopper.token, PNG);
    expect(photo.status).toBe(200);

    const raised = await api.call('POST', '/feedback', {
      token: shopper.token,
      body: { kind: 'complaint', category: 'service', text: '收银员态度很差', photoIds: [photo.body.id], idempotencyKey: key('fb') },
    });
    expect(raised.status).toBe(200);
    expect(raised.body).toMatchObject({ channel: 'online', status: 'open', storeCode: null, photoUrls: [photo.body.url] });
    const id = raised.body.id as number;
    expect((await fetch(`${stack.serverUrl}${String(photo.body.url)}`)).headers.get('content-type')).toBe('image/png');
    expect((await api.call('GET', `/feedback/${id}`, { token: other.token })).body.code).toBe('FEEDBACK_NOT_FOUND');

    // An online case about no store is HQ's: a store clerk neither sees nor touches it.
    expect((await api.call('GET', '/staff/feedback', { token: clerk })).body.cases).toEqual([]);
    expect((await api.call('GET', `/staff/feedback/${id}`, { token: clerk })).body.code).toBe('STORE_NOT_YOURS');
    expect((await api.call('GET', '/staff/feedback', { token: hq })).body.cases.map((c: { id: number }) => c.id)).toContain(id);

    const reply = await api.call('POST', `/staff/feedback/${id}/replies`, {
      token: hq,
      body: { body: '非常抱歉，我们已联系门店核实', idempotencyKey: key('r') },
    });
    expect(reply.body).toMatchObject({ status: 'responded' });
    const resolve = {
      resolution: '已批评教育当事员工，赠送积分致歉',
      goodwill: { kind: 'points', points: 300, reason: '服务态度补偿' },
      idempotencyKey: key('res'),
    };
    const answers = await Promise.all([1, 2, 3].map(() => api.call('POST', `/staff/feedback/${id}/resolve`, { token: hq, body: resolve })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const card = await api.call('GET', '/members/me/card', { token: shopper.token });
    expect(card.body.pointsBalance).toBe(300);

    const seen = await api.call('GET', `/feedback/${id}`, { token: shopper.token });
    expect(seen.body).toMatchObject({ status: 'resolved', goodwill: { kind: 'points', points: 300 } });
    expect(seen.body.messages.map((m: { author: string }) => m.author)).toEqual(['staff', 'staff']);
    expect((await api.call('POST', `/feedback/${id}/rating`, { token: other.token, body: { rating: 1 } })).body.code).toBe(
      'FEEDBACK_NOT_FOUND',
    );
    const rated = await api.call('POST', `/feedback/${id}/rating`, { token: shopper.token, body: { rating: 5, comment: '处理很快' } });
    expect(rated.body).toMatchObject({ status: 'closed', rating: 5 });

    const log = await api.call('GET', '/admin/audit-log?limit=50&action=feedback.resolve', { token: hq });
    expect(log.body.entries.filter((e: { outcome: string }) => e.outcome === 'ok')).toHaveLength(3);
    expect(log.body.entries[0]).toMatchObject({ memberId: shopper.memberId, points: 300, target: String(id) });
  });

  it('a clerk logs a case at the till for the member they identified; goodwill above a clerk is refused', async () => {
    const shopper = await api.joinedMember('fb-till', '13700005557', POLICY);
    const code = (await api.call('GET', '/members/me/code', { token: shopper.token })).body.code as string;
    const identified = await api.call('POST', '/staff/member-code/verify', { token: clerk, body: { code } });
    const logged = await api.call('POST', '/staff/feedback', {
      token: clerk,
      body: {
        kind: 'complaint',
        category: 'quality',
        text: '酸奶已过期',
        tillTicket: identified.body.tillTicket,
        idempotencyKey: key('till'),
      },
    });
    expect(logged.body).toMatchObject({ channel: 'store', storeCode: 'S001', memberId: shopper.memberId });
    const id = logged.body.id as number;
    expect((await api.call('GET', '/staff/feedback', { token: clerk2 })).body.cases).toEqual([]);
    const over = await api.call('POST', `/staff/feedback/${id}/resolve`, {
      token: clerk,
      body: { resolution: '已退换', goodwill: { kind: 'points', points: 501, reason: '过期商品' }, idempotencyKey: key('o') },
    });
    expect(over.body.code).toBe('GOODWILL_OVER_LIMIT');
    const ok = await api.call('POST', `/staff/feedback/${id}/resolve`, {
      token: clerk,
      body: { resolution: '已退换', goodwill: { kind: 'points', points: 500, reason: '过期商品' }, idempotencyKey: key('o') },
    });
    expect(ok.body).toMatchObject({ status: 'resolved', goodwill: { points: 500 } });
    expect((await api.call('GET', `/feedback/${id}`, { token: shopper.token })).body.status).toBe('resolved');
  });

  it('HQ adjusts points by hand (found by phone), within the limit and never below zero; clerks may not', async () => {
    const shopper = await api.joinedMember('fb-adjust', '13700005558', POLICY);
    const found = await api.call('GET', '/admin/members/lookup?phone=13700005558', { token: hq });
    expect(found.body).toMatchObject({ id: shopper.memberId, phoneMasked: '137****5558', pointsBalance: 0 });
    expect((await api.call('GET', '/admin/members/lookup?phone=13700005558', { token: clerk })).body.code).toBe('FORBIDDEN');
    const adjust = (points: number, k = key('adj')) =>
      api.call('POST', '/admin/points-adjustments', {
        token: hq,
        body: { memberId: shopper.memberId, points, reason: '线下活动补录', idempotencyKey: k },
      });
    expect((await adjust(-10)).body.code).toBe('POINTS_INSUFFICIENT');
    expect((await adjust(10_001)).body.code).toBe('POINTS_ADJUST_OVER_LIMIT');
    const k = key('adj');
    const [a, b] = await Promise.all([adjust(1000, k), adjust(1000, k)]);
    expect([a.body.id, a.body.balanceAfter]).toEqual([b.body.id, 1000]);
    const report = await api.call('GET', `/staff/feedback/report?from=2020-01-01&to=2030-12-31`, { token: hq });
    expect(report.status).toBe(200);
    expect(report.body.cases).toBeGreaterThanOrEqual(2);
    expect(report.body.goodwillPoints).toBeGreaterThanOrEqual(800);
    expect((await api.call('GET', `/staff/feedback/report?from=2020-01-01&to=2030-12-31`, { token: clerk })).body.code).toBe('FORBIDDEN');
  });
});
