// Shared set-up of the WeChat Pay service tests (server/src/orders/pay/*.test.ts).
import type { RequestPaymentParams } from '@member/shared';
import { ClaimService } from '../coupons/claim.service';
import { Coupon } from '../coupons/coupon.entity';
import { TransactionRunner } from '../database/transaction-runner';
import { Member } from '../members/member.entity';
import { PayOrder } from '../orders/pay/pay-order.entity';
import { PointsLedger } from '../points/points-ledger';
import { openidFor, TEST_APP } from './emulator';
import type { TestApp } from './test-app';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * What every WeChat Pay service test needs around its app (one copy instead of one per test file): the emulator's
 * dev API, a joined member with points and a coupon, reads of balances, coupons and orders, and the member's
 * cashier. `app()` and `templateId()` are read at call time, since suites start their app in beforeAll.
 */
export function paySpecHelpers(app: () => TestApp, options: { userPrefix: string; templateId: () => number; key: () => string }) {
  let userSeq = 0;
  const emulatorGet = async (path: string): Promise<Json> => (await (await fetch(`${app().emulator.url}${path}`)).json()) as Json;
  const emulatorPost = async (path: string, body: unknown): Promise<Json> =>
    (await (
      await fetch(`${app().emulator.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json()) as Json;

  /** A joined member whose openid is the emulator user's, with `points` to spend and, if asked, a coupon of the suite's template. */
  async function newMember(points = 0, withCoupon = false): Promise<{ id: number; user: string; couponId: number | null }> {
    const t = app();
    const user = `${options.userPrefix}-${++userSeq}`;
    const joinedAt = new Date(t.clock.now().getTime() - 86_400_000);
    const inserted = await t.db.dataSource
      .getRepository(Member)
      .insert({ openid: openidFor(TEST_APP.appid, user), joinedAt, privacyAcceptedAt: joinedAt, privacyPolicyVersion: 'test' });
    const id = Number(inserted.identifiers[0].id);
    if (points > 0) {
      await t.app.get(TransactionRunner).run((em) =>
        t.app.get(PointsLedger).credit(em, {
          memberId: id,
          points,
          reason: 'earn',
          sourceKey: `seed:${id}`,
          now: t.clock.now(),
          expiresAt: new Date(t.clock.now().getTime() + 200 * 86_400_000),
        }),
      );
    }
    const couponId = withCoupon ? (await t.app.get(ClaimService).claim(id, options.templateId(), options.key())).id : null;
    return { id, user, couponId };
  }

  return {
    emulatorGet,
    emulatorPost,
    newMember,
    balanceOf: async (memberId: number) =>
      (await app().db.dataSource.getRepository(Member).findOneByOrFail({ id: memberId })).pointsBalance,
    couponStatus: async (couponId: number) => (await app().db.dataSource.getRepository(Coupon).findOneByOrFail({ id: couponId })).status,
    orderOf: (outTradeNo: string) => app().db.dataSource.getRepository(PayOrder).findOneByOrFail({ outTradeNo }),
    /** What the member's WeChat does with the server's parameters (the emulator's cashier). */
    requestPayment: (user: string, params: RequestPaymentParams, decision: 'pay' | 'cancel' | 'paying' = 'pay') =>
      emulatorPost('/dev/pay/request-payment', { appid: TEST_APP.appid, user, ...params, decision }),
  };
}
