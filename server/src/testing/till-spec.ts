// Shared set-up of the tests that record purchases at the till (orders/, points/): one copy of the app start,
// the joined members, the member code a clerk types and the purchase request.
import type { PurchaseView } from '@member/shared';
import { issueMemberCode } from '../members/member-code';
import { Member } from '../members/member.entity';
import { PurchasesService } from '../orders/purchases.service';
import type { TestDatabaseKind } from './databases';
import { joinedMembersSpec, keyMaker } from './spec';
import type { TestApp } from './test-app';

/** What a test may set on a till purchase; the rest is S001, a fresh idempotency key and clerk o-clerk. */
export interface TillExtras {
  couponCode?: string;
  pointsToBurn?: number;
  idempotencyKey?: string;
  storeCode?: string;
  staff?: string;
}

/**
 * Call it in the describe block: `start()` in beforeAll gives the app (closed after the suite) with `memberCount`
 * joined members (joined 2026-01-05), handed out one per test by `member()`. Tests keep their own expectations;
 * these helpers only build state and read it.
 */
export function tillSpec(kind: TestDatabaseKind, name: string, memberCount: number) {
  const members = joinedMembersSpec(kind, name, memberCount);
  const key = keyMaker(`${name}-key`);
  let started: { t: TestApp; purchases: PurchasesService } | null = null;
  const app = () => {
    if (!started) throw new Error('tillSpec: call start() in beforeAll first');
    return started;
  };

  async function start(): Promise<{ t: TestApp; purchases: PurchasesService }> {
    const t = await members.start();
    started = { t, purchases: t.app.get(PurchasesService) };
    return started;
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
    member: members.member,
    buy,
    balanceOf: async (memberId: number) =>
      (await app().t.db.dataSource.getRepository(Member).findOneByOrFail({ id: memberId })).pointsBalance,
  };
}
