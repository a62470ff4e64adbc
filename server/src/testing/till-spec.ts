// Shared set-up of the tests that record purchases at the till (orders/, points/): one copy of the app start,
// the joined members, the member code a clerk types and the purchase request.
import type { PurchaseView } from '@member/shared';
import { issueMemberCode } from '../members/member-code';
import { Member } from '../members/member.entity';
import { PurchasesService } from '../orders/purchases.service';
import { insertJoinedMembers } from './coupon-fixtures';
import type { TestDatabaseKind } from './databases';
import { keyMaker, suiteState } from './spec';
import { startTestApp, type TestApp } from './test-app';

/** What a test may set on a till purchase; the rest is S001, a fresh idempotency key and clerk o-clerk. */
export interface TillExtras {
  couponCode?: string;
  pointsToBurn?: number;
  idempotencyKey?: string;
  storeCode?: string;
  staff?: string;
}

/**
 * Call it in the describe block: `start()` in beforeAll gives the app (closed after the suite) with `members`
 * joined members (joined 2026-01-05), handed out one per test by `member()`. Tests keep their own expectations;
 * these helpers only build state and read it.
 */
export function tillSpec(kind: TestDatabaseKind, name: string, members: number) {
  const suite = suiteState<{ t: TestApp; purchases: PurchasesService; members: number[] }>('tillSpec');
  const app = suite.get;
  let next = 0;
  const key = keyMaker(`${name}-key`);

  async function start(): Promise<{ t: TestApp; purchases: PurchasesService }> {
    const t = await startTestApp(kind);
    const ids = await insertJoinedMembers(t.db.dataSource, members, `${name}-${kind}`, new Date('2026-01-05T00:00:00Z'));
    return suite.set({ t, purchases: t.app.get(PurchasesService), members: ids });
  }

  /** The member code the member's card shows right now, as the clerk types it. */
  const codeFor = (memberId: number) => {
    const { config, clock } = app().t;
    return issueMemberCode({ secret: config.security.memberCodeSecret, ...config.memberCode }, memberId, clock.now()).code;
  };

  /** A purchase recorded at the till for the member whose code was just shown. */
  const buy = (memberId: number, amountFen: number, extra: TillExtras = {}): Promise<PurchaseView> =>
    app().purchases.record(
      {
        memberCode: codeFor(memberId),
        amountFen,
        storeCode: extra.storeCode ?? 'S001',
        couponCode: extra.couponCode,
        pointsToBurn: extra.pointsToBurn,
        idempotencyKey: extra.idempotencyKey ?? key(),
      },
      extra.staff ?? 'o-clerk',
    );

  return {
    start,
    key,
    /** A member no other test of the suite has used. */
    member: () => app().members[next++],
    buy,
    balanceOf: async (memberId: number) =>
      (await app().t.db.dataSource.getRepository(Member).findOneByOrFail({ id: memberId })).pointsBalance,
  };
}
