// npm run bench -- pay-notify [--concurrency 16] [--orders 1500]
// WeChat gives a notify URL 5 s to answer before it retries. Ours: POST /api/pay/notify/transaction on the
// built server and MariaDB with real notifications (platform RSA signature, AES-256-GCM resource), each
// completing a different pending order: verify, decrypt, one transaction that marks the order paid, records
// the purchase, earns points. Baseline, same run, same concurrency, same requests: a bare node:http handler
// doing only the protocol work (signature check and decryption), no database.
import { createDecipheriv, verify } from 'node:crypto';
import http from 'node:http';
import { createConnection } from 'mysql2/promise';
import type { AddressInfo } from 'node:net';
import { TestApi } from '../support/api-client';
import { startStack } from '../support/stack';
import { notificationEnvelope, platformSignature, successfulTransaction } from '../wechat-emulator/pay/envelope';
import { numberArg, report, runBatch } from './harness';

interface Notification {
  outTradeNo: string;
  headers: Record<string, string>;
  body: string;
}

async function main(): Promise<void> {
  const concurrency = numberArg('concurrency', 16);
  const orderCount = numberArg('orders', 1500);
  process.stdout.write(`pay-notify benchmark: ${orderCount} pending orders, ${concurrency} concurrent notifications\n`);

  const stack = await startStack({ database: 'mariadb', pay: {}, env: { DATABASE_POOL_SIZE: String(concurrency) } });
  try {
    const keys = stack.payKeys!;
    const api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    const members: Array<{ user: string; token: string }> = [];
    for (let i = 0; i < 50; i++)
      members.push({
        user: `bench-payer-${i}`,
        token: (await api.joinedMember(`bench-payer-${i}`, `1370000${String(i).padStart(4, '0')}`, '2026-11')).token,
      });

    const notifications: Notification[] = [];
    await runBatch('creating pending orders', concurrency, orderCount, async (i) => {
      const member = members[i % members.length];
      const created = await api.call('POST', '/pay/orders', {
        token: member.token,
        body: { amountFen: 1000 + (i % 50) * 100, storeCode: 'S001', idempotencyKey: `bench-pay-${i}` },
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
      notifications.push({ outTradeNo: order.outTradeNo, headers: { 'content-type': 'application/json' }, body });
      return true;
    });
    // Signed just before sending: WeChat's timestamps are fresh, and the server refuses ones over 5 minutes old.
    const sign = (n: Notification) => {
      n.headers = {
        'content-type': 'application/json',
        ...platformSignature(keys.platform.privateKeyPem, keys.platform.publicKeyId, n.body, Math.floor(Date.now() / 1000)),
      };
    };
    notifications.forEach(sign);

    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const post = (url: string, n: Notification) =>
      new Promise<number>((resolve, reject) => {
        const request = http.request(url, {
          method: 'POST',
          agent,
          headers: { ...n.headers, 'content-length': Buffer.byteLength(n.body) },
        });
        request.on('response', (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        });
        request.on('error', reject);
        request.end(n.body);
      });

    const ours = await runBatch('ours: POST /api/pay/notify/transaction', concurrency, notifications.length, async (i) => {
      const status = await post(`${stack.serverUrl}/api/pay/notify/transaction`, notifications[i]);
      return status === 200 || status === 204;
    });

    // Exactly once: every order paid, one purchase each.
    const db = await createConnection({ uri: stack.databaseUrl! });
    const [rows] = await db.query('SELECT status, COUNT(*) AS n FROM pay_order GROUP BY status');
    const [purchases] = await db.query("SELECT COUNT(*) AS n FROM purchase WHERE staff_openid = 'wechat-pay'");
    await db.end();
    const paid = Number((rows as Array<{ status: string; n: number }>).find((r) => r.status === 'paid')?.n ?? 0);
    const notPaid = notifications.length - paid;
    const purchaseCount = Number((purchases as Array<{ n: number }>)[0].n);

    // Baseline: the protocol floor, same requests re-signed, same client.
    const baselineServer = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const h = request.headers as Record<string, string>;
        const ok = verify(
          'RSA-SHA256',
          Buffer.from(`${h['wechatpay-timestamp']}\n${h['wechatpay-nonce']}\n${body}\n`),
          keys.platform.publicKeyPem,
          Buffer.from(h['wechatpay-signature'], 'base64'),
        );
        const resource = (JSON.parse(body) as { resource: { ciphertext: string; nonce: string; associated_data: string } }).resource;
        const bytes = Buffer.from(resource.ciphertext, 'base64');
        const decipher = createDecipheriv('aes-256-gcm', Buffer.from(keys.apiV3Key), Buffer.from(resource.nonce));
        decipher.setAAD(Buffer.from(resource.associated_data));
        decipher.setAuthTag(bytes.subarray(bytes.length - 16));
        JSON.parse(Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8'));
        response.statusCode = ok ? 204 : 400;
        response.end();
      });
    });
    await new Promise<void>((resolve) => baselineServer.listen(0, '127.0.0.1', resolve));
    const baselineUrl = `http://127.0.0.1:${(baselineServer.address() as AddressInfo).port}/notify`;
    notifications.forEach(sign);
    const baseline = await runBatch(
      'baseline: bare node:http verify + decrypt',
      concurrency,
      notifications.length,
      async (i) => (await post(baselineUrl, notifications[i])) === 204,
    );
    baselineServer.close();
    agent.destroy();

    process.stdout.write(`  WeChat's limit is 5000 ms per answer: ours p99 ${ours.p99Ms} ms\n`);
    report({
      name: 'pay-notify',
      ours: ours.perSecond,
      baseline: baseline.perSecond,
      unit: 'notifications/s',
      violations: ours.failures + baseline.failures + notPaid + Math.abs(purchaseCount - notifications.length),
      params: { orders: notifications.length, concurrency, database: 'mariadb' },
      oursLatencyMs: { p50: ours.p50Ms, p99: ours.p99Ms, wechatLimit: 5000 },
      baselineLatencyMs: { p50: baseline.p50Ms, p99: baseline.p99Ms },
      paidOrders: paid,
      purchases: purchaseCount,
    });
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
