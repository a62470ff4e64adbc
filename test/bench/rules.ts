// npm run bench -- rules [--concurrency 16] [--sales 600]
// Rewards fired by a purchase (营销规则 / 支付有礼), end to end on the built server and MariaDB: app orders paid
// with WeChat Pay, each notification delivered twice at once (WeChat retries; a second instance may take the
// retry), each sale matching three rules — fixed points, a double points window, and a coupon whose budget covers
// only half the sales — so every settlement fires rules inside its transaction. Baseline, same run, same
// concurrency, same duplicated notifications: the same sales settled with no rule active. The ratio is sales/s
// with rules ÷ sales/s without (target ≥ 0.7). Violations: a notification answered with an error, an order not
// paid, a purchase missing or doubled, a rule that fired other than once per sale or past its budget, coupons
// other than grants, any invariant of server/src/testing/invariants.ts.
import http from 'node:http';
import { DataSource } from 'typeorm';
import { checkInvariants } from '../../server/src/testing/invariants';
import { TestApi } from '../support/api-client';
import { cashOffTemplateBody } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import { notificationEnvelope, platformSignature, successfulTransaction } from '../wechat-emulator/pay/envelope';
import { numberArg, report, runBatch } from './harness';

interface Notification {
  headers: Record<string, string>;
  body: string;
}

const rule = (name: string, priority: number, reward: Record<string, unknown>, budget: Record<string, unknown> = {}) => ({
  name,
  priority,
  exclusive: false,
  conditions: {
    minPaidFen: 1000,
    firstPurchase: false,
    tiers: [],
    stores: [],
    startsOn: '2026-01-01',
    endsOn: '2030-12-31',
    memberDayOnly: false,
    channel: 'wechat-pay',
  },
  reward: { couponTemplateId: null, couponCount: 0, points: 0, multiplierPermille: null, ...reward },
  budget: { maxGrants: null, maxPoints: null, maxCoupons: null, ...budget },
  takeBackOnRefund: true,
});

async function main(): Promise<void> {
  const concurrency = numberArg('concurrency', 16);
  const sales = numberArg('sales', 600);
  process.stdout.write(`rules benchmark: ${sales} sales per phase, each notification sent twice, ${concurrency} at once\n`);
  const stack = await startStack({
    database: 'mariadb',
    pay: {},
    staff: [{ user: 'bench-rules-boss', role: 'admin' }],
    env: { DATABASE_POOL_SIZE: String(concurrency * 2) },
  });
  const db = await new DataSource({ type: 'mysql', url: stack.databaseUrl!, timezone: 'Z', poolSize: 2 }).initialize();
  try {
    const api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    const admin = (await api.login('bench-rules-boss')).token;
    const members: Array<{ user: string; token: string }> = [];
    for (let i = 0; i < 50; i++)
      members.push({
        user: `bench-rules-${i}`,
        token: (await api.joinedMember(`bench-rules-${i}`, `1371000${String(i).padStart(4, '0')}`, '2026-11')).token,
      });
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency * 2 });

    /** One phase: `sales` pending orders, then their notifications, each posted twice at once. */
    const phase = async (label: string, prefix: string) => {
      const notifications = await pendingOrders(stack, api, members, concurrency, sales, prefix);
      notifications.forEach((n) => sign(stack, n));
      const result = await runBatch(label, concurrency, notifications.length, async (i) => {
        const statuses = await Promise.all(
          [0, 1].map(() => post(agent, `${stack.serverUrl}/api/pay/notify/transaction`, notifications[i])),
        );
        return statuses.every((s) => s === 200 || s === 204);
      });
      return result;
    };

    const baseline = await phase('baseline: settlement, no rule active', 'bench-rb');

    const template = await api.call('POST', '/admin/coupon-templates', {
      token: admin,
      body: cashOffTemplateBody({ name: '支付有礼券', totalStock: sales * 4, perMemberLimit: 1 }),
    });
    if (template.status !== 201) throw new Error(`template: ${template.status} ${JSON.stringify(template.body)}`);
    const couponBudget = Math.floor(sales / 2);
    const bodies = [
      rule('满10元送10积分', 3, { points: 10 }),
      rule('双倍积分', 2, { multiplierPermille: 2000 }),
      rule('支付有礼券', 1, { couponTemplateId: template.body.id, couponCount: 1 }, { maxGrants: couponBudget }),
    ];
    const ruleIds: number[] = [];
    for (const body of bodies) {
      const created = await api.call('POST', '/admin/purchase-rules', { token: admin, body });
      if (created.status !== 201) throw new Error(`rule: ${created.status} ${JSON.stringify(created.body)}`);
      const activated = await api.call('POST', `/admin/purchase-rules/${created.body.id}/status`, {
        token: admin,
        body: { status: 'active' },
      });
      if (activated.status !== 200) throw new Error(`activate: ${activated.status}`);
      ruleIds.push(created.body.id);
    }
    const ours = await phase('ours: settlement firing 3 rules', 'bench-ro');
    agent.destroy();

    const count = async (sql: string, params: unknown[] = []) => Number((await db.query(sql, params))[0].n);
    const paid = await count("SELECT COUNT(*) AS n FROM pay_order WHERE status = 'paid'");
    const purchases = await count("SELECT COUNT(*) AS n FROM purchase WHERE staff_openid = 'wechat-pay'");
    const grants = await Promise.all(ruleIds.map((id) => count('SELECT COUNT(*) AS n FROM purchase_rule_grant WHERE rule_id = ?', [id])));
    const doubled = await count(
      'SELECT COUNT(*) AS n FROM (SELECT rule_id FROM purchase_rule_grant GROUP BY rule_id, purchase_id HAVING COUNT(*) > 1) d',
    );
    const coupons = await count('SELECT COUNT(*) AS n FROM coupon WHERE template_id = ?', [template.body.id]);
    const invariants = await checkInvariants(db, { skip: ['messages.grants-match-wechat'] });
    for (const v of invariants) process.stdout.write(`  invariant ${v.invariant}: ${JSON.stringify(v.rows.slice(0, 3))}\n`);
    const violations =
      ours.failures +
      baseline.failures +
      Math.abs(paid - 2 * sales) +
      Math.abs(purchases - 2 * sales) +
      Math.abs(grants[0] - sales) +
      Math.abs(grants[1] - sales) +
      Math.abs(grants[2] - couponBudget) +
      doubled +
      Math.abs(coupons - grants[2]) +
      invariants.length;
    process.stdout.write(`  grants per rule: ${grants.join(', ')} (coupon budget ${couponBudget}); coupons ${coupons}\n`);
    report({
      name: 'rules',
      ours: ours.perSecond,
      baseline: baseline.perSecond,
      unit: 'sales/s',
      violations,
      params: { sales, concurrency, deliveriesPerNotification: 2, rules: bodies.length, database: 'mariadb' },
      oursLatencyMs: { p50: ours.p50Ms, p99: ours.p99Ms },
      baselineLatencyMs: { p50: baseline.p50Ms, p99: baseline.p99Ms },
      paidOrders: paid,
      purchases,
      grants,
    });
  } finally {
    await db.destroy();
    await stack.stop();
  }
}

async function pendingOrders(
  stack: Stack,
  api: TestApi,
  members: Array<{ user: string; token: string }>,
  concurrency: number,
  count: number,
  prefix: string,
): Promise<Notification[]> {
  const keys = stack.payKeys!;
  const notifications: Notification[] = [];
  await runBatch(`creating ${count} pending orders`, concurrency, count, async (i) => {
    const member = members[i % members.length];
    const created = await api.call('POST', '/pay/orders', {
      token: member.token,
      body: { amountFen: 1000 + (i % 50) * 100, storeCode: 'S001', idempotencyKey: `${prefix}-${i}` },
    });
    if (created.status !== 200) return false;
    const order = created.body.order;
    const resource = successfulTransaction({
      appid: stack.appid,
      mchid: keys.mchid,
      outTradeNo: order.outTradeNo,
      openid: stack.openidOf(member.user),
      totalFen: order.payableFen,
      nowMs: Date.now(),
      transactionId: `4200${Date.now()}${String(i).padStart(6, '0')}`,
    });
    const { body } = notificationEnvelope(
      keys.apiV3Key,
      { eventType: 'TRANSACTION.SUCCESS', summary: '支付成功', originalType: 'transaction', plaintext: resource },
      Date.now(),
    );
    notifications.push({ headers: {}, body });
    return true;
  });
  return notifications;
}

/** Signed just before sending: WeChat's timestamps are fresh, and the server refuses ones over 5 minutes old. */
function sign(stack: Stack, n: Notification): void {
  const keys = stack.payKeys!;
  n.headers = {
    'content-type': 'application/json',
    ...platformSignature(keys.platform.privateKeyPem, keys.platform.publicKeyId, n.body, Math.floor(Date.now() / 1000)),
  };
}

function post(agent: http.Agent, url: string, n: Notification): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: { ...n.headers, 'content-length': Buffer.byteLength(n.body) } });
    request.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.end(n.body);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
