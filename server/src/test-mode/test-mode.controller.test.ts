import { loadConfig } from '@member/config';
import { createApp } from '../bootstrap';
import { Clock, ShiftedClock, SystemClock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { createTestDatabase } from '../testing/databases';
import { TEST_SECRETS } from '../testing/secrets';
import { listenLocally, startTestApp, testConfig, type TestApp } from '../testing/test-app';
import { TestModeGuard } from './test-mode.controller';

const baseUrls = new WeakMap<TestApp, string>();

/** Real HTTP to the app (routing, guards, validation and the error filter as in production). */
async function http(t: TestApp, request: { method: 'GET' | 'POST'; url: string; payload?: object }) {
  let base = baseUrls.get(t);
  if (!base) {
    base = await listenLocally(t.app);
    baseUrls.set(t, base);
  }
  const response = await fetch(`${base}${request.url}`, {
    method: request.method,
    headers: request.payload ? { 'content-type': 'application/json' } : {},
    body: request.payload ? JSON.stringify(request.payload) : undefined,
  });
  const body: unknown = await response.json();
  return { statusCode: response.status, json: () => body };
}

describe('test-mode endpoints', () => {
  describe('in test mode', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp('sqlite');
    });
    afterAll(() => t?.close());

    it('sets the server clock, which every service then reads', async () => {
      const set = await http(t, { method: 'POST', url: '/api/test/clock', payload: { now: '2027-02-28T00:05:00+08:00' } });
      expect(set.statusCode).toBe(200);
      expect(set.json()).toEqual({ now: '2027-02-27T16:05:00.000Z' });
      expect((await http(t, { method: 'GET', url: '/api/test/clock' })).json()).toEqual({ now: '2027-02-27T16:05:00.000Z' });
      expect((await http(t, { method: 'GET', url: '/api/health' })).json()).toMatchObject({ time: '2027-02-27T16:05:00.000Z' });
    });

    it('refuses a clock that is not an ISO time with its offset', async () => {
      const answer = await http(t, { method: 'POST', url: '/api/test/clock', payload: { now: 'tomorrow' } });
      expect(answer.statusCode).toBe(400);
      expect(answer.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('runs the birthday job on demand for the business day of the server clock', async () => {
      await http(t, { method: 'POST', url: '/api/test/clock', payload: { now: '2027-03-01T00:05:00+08:00' } });
      const answer = await http(t, { method: 'POST', url: '/api/test/jobs/birthday' });
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toMatchObject({ runOn: '2027-03-01', window: { kind: 'month', key: '2027-03' }, perksGranted: 0 });
    });

    it('runs any declared job by name, now or as its timer would, and answers 404 for an unknown one', async () => {
      await http(t, { method: 'POST', url: '/api/test/clock', payload: { now: '2027-03-02T10:00:00+08:00' } });
      expect((await http(t, { method: 'POST', url: '/api/test/jobs/coupon-expiry' })).json()).toEqual({
        job: 'coupon-expiry',
        ran: true,
        result: 0,
      });
      const scheduled = await http(t, { method: 'POST', url: '/api/test/jobs/coupon-expiry', payload: { scheduled: true } });
      expect(scheduled.json()).toEqual({ job: 'coupon-expiry', ran: true, period: '2027-03-02T02:00:00', result: 0 });
      // The period is taken: the timer's next tick in it does nothing, and neither does this.
      expect((await http(t, { method: 'POST', url: '/api/test/jobs/coupon-expiry', payload: { scheduled: true } })).json()).toEqual({
        job: 'coupon-expiry',
        ran: false,
      });
      expect((await http(t, { method: 'POST', url: '/api/test/jobs/message-sender' })).json()).toMatchObject({
        job: 'message-sender',
        ran: true,
        result: { claimed: 0 },
      });
      const unknown = await http(t, { method: 'POST', url: '/api/test/jobs/no-such-job' });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toMatchObject({ code: 'NOT_FOUND' });
      expect((await http(t, { method: 'POST', url: '/api/test/jobs/coupon-expiry', payload: { scheduled: 'yes' } })).statusCode).toBe(400);
    });
  });

  describe.each(['development', 'production'])('in %s mode', (mode) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp('sqlite', { NODE_ENV: mode });
    });
    afterAll(() => t?.close());

    it.each([
      ['POST', '/api/test/clock', { now: '2030-01-01T00:00:00Z' }],
      ['GET', '/api/test/clock', undefined],
      ['POST', '/api/test/jobs/birthday', undefined],
      ['POST', '/api/test/jobs/coupon-expiry', undefined],
    ] as const)('answers %s %s with 404, and the clock does not move', async (method, url, payload) => {
      const before = t.clock.now().toISOString();
      const answer = await http(t, { method, url, payload });
      expect(answer.statusCode).toBe(404);
      expect(answer.json()).toMatchObject({ code: 'NOT_FOUND' });
      expect(t.clock.now().toISOString()).toBe(before);
    });
  });

  it('closes the routes with 404 even if the module were loaded outside test mode', () => {
    const config = loadConfig({ NODE_ENV: 'production', WECHAT_APPID: 'wx0000000000demo01', WECHAT_SECRET: 's', ...TEST_SECRETS });
    let refusal: unknown;
    try {
      new TestModeGuard(config).canActivate();
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DomainError);
    expect((refusal as DomainError).code).toBe('NOT_FOUND');
    expect(new TestModeGuard({ ...config, env: 'test' }).canActivate()).toBe(true);
  });

  it.each([
    ['test', ShiftedClock],
    ['development', SystemClock],
    ['production', SystemClock],
  ] as const)('a %s server process without an injected clock runs on a %p', async (mode, expected) => {
    const db = await createTestDatabase('sqlite');
    const app = await createApp({ config: testConfig({ NODE_ENV: mode }), dataSource: db.dataSource });
    try {
      const clock = app.get(Clock);
      expect(clock).toBeInstanceOf(expected);
      if (mode !== 'test') expect(clock).not.toBeInstanceOf(ShiftedClock);
    } finally {
      await app.close();
      await db.drop().catch(() => undefined);
    }
  });
});
