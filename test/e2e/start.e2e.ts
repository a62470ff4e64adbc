import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestApi } from '../support/api-client';
import { startProcess, type RunningProcess } from '../support/processes';

/**
 * `npm start` as a newcomer runs it: no database server, no settings. The demo comes up on the embedded SQLite
 * file with the emulator, serves the H5 build, and its claim centre has sample coupons a shopper can claim;
 * a second start on the same data adds no more.
 */
/** The demo names the emulator's inbox among the things to try; the emulator's URL is its origin. */
const EMULATOR_URL = /(http:\/\/127\.0\.0\.1:\d+)\/dev\/inbox/;

describe('npm start (the demo)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mp-demo-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const startDemo = () =>
    startProcess(process.execPath, ['--import', 'tsx', 'test/scripts/start.ts'], {
      ready: /^\s+(http:\/\/127\.0\.0\.1:\d+)\/\s*$/,
      label: 'npm start',
      timeoutMs: 90_000,
      env: {
        DEMO_DATA_DIR: dataDir,
        PORT: '0',
        WECHAT_EMULATOR_PORT: '0',
        WECHAT_APPID: 'wx0000000000demo01',
        DATABASE_URL: '',
        STAFF: '',
        SQLITE_PATH: '',
      },
    });

  it('starts with sample coupons a shopper can claim and pay with WeChat Pay, and does not add them twice', async () => {
    let demo: { process: RunningProcess; match: RegExpMatchArray } | undefined = await startDemo();
    try {
      const serverUrl = demo.match[1];
      const emulatorUrl = EMULATOR_URL.exec(demo.process.output())?.[1];
      expect(emulatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(demo.process.output()).toContain('3 sample coupons');
      expect(demo.process.output()).toContain(join(dataDir, 'member.sqlite'));

      const page = await fetch(`${serverUrl}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="app"');

      const api = new TestApi(serverUrl, emulatorUrl!, 'wx0000000000demo01');
      const shopper = await api.joinedMember('newcomer', '13600001234', '2026-11');
      const centre = await api.call('GET', '/coupons/claim-centre', { token: shopper.token });
      expect(centre.status).toBe(200);
      const claimable = centre.body.filter((entry: { canClaim: boolean }) => entry.canClaim);
      expect(claimable.length).toBeGreaterThanOrEqual(2); // the gold-tier one is shown, but not claimable by a new member
      const claimed = await api.call('POST', `/coupons/templates/${claimable[0].template.id}/claim`, {
        token: shopper.token,
        body: { idempotencyKey: 'demo-claim-1' },
      });
      expect(claimed.status).toBe(200);

      // The demo takes WeChat Pay: an order, the emulator's cashier, and the notification back to the server.
      const config = await api.call('GET', '/public-config');
      expect(config.body.payEnabled).toBe(true);
      const order = await api.call('POST', '/pay/orders', {
        token: shopper.token,
        body: { amountFen: 8800, storeCode: config.body.stores[0].code, idempotencyKey: 'demo-pay-1' },
      });
      expect(order.status).toBe(200);
      const cashier = await fetch(`${emulatorUrl}/dev/pay/request-payment`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'newcomer', ...order.body.payment }),
      });
      expect(await cashier.json()).toEqual({ errMsg: 'requestPayment:ok' });
      let paid = order.body.order.status;
      for (let i = 0; i < 100 && paid !== 'paid'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        paid = (await api.call('GET', `/pay/orders/${order.body.order.outTradeNo}`, { token: shopper.token })).body.order.status;
      }
      expect(paid).toBe('paid');
      await demo.process.stop();

      demo = await startDemo();
      expect(demo.process.output()).not.toContain('sample coupons');
      const again = new TestApi(demo.match[1], EMULATOR_URL.exec(demo.process.output())![1], 'wx0000000000demo01');
      const manager = await again.login('clerk');
      const templates = await again.call('GET', '/admin/coupon-templates', { token: manager.token });
      expect(templates.body).toHaveLength(3);
    } finally {
      await demo?.process.stop();
    }
  });
});
