import { issueMemberCode } from '../members/member-code';
import { Member } from '../members/member.entity';
import { insertJoinedMembers } from '../testing/coupon-fixtures';
import { TEST_DATABASES } from '../testing/databases';
import { startTestApp, type TestApp } from '../testing/test-app';
import { expectInvariants } from '../testing/invariants';
import { PurchasesService } from '../orders/purchases.service';
import { MembershipReviewJob } from './membership-review.job';

let keySeq = 0;
const key = () => `review-key-${++keySeq}-${Math.random().toString(36).slice(2, 8)}`;
const DAY = 86_400;

describe.each(TEST_DATABASES)('the membership review on %s', (kind) => {
  let t: TestApp;
  let job: MembershipReviewJob;

  const buy = (memberId: number, amountFen: number) =>
    t.app.get(PurchasesService).record(
      {
        memberCode: issueMemberCode({ secret: t.config.security.memberCodeSecret, ...t.config.memberCode }, memberId, t.clock.now()).code,
        amountFen,
        storeCode: 'S001',
        idempotencyKey: key(),
      },
      'o-clerk',
    );
  const memberRow = (id: number) => t.db.dataSource.getRepository(Member).findOneByOrFail({ id });

  beforeEach(async () => {
    t = await startTestApp(kind);
    job = t.app.get(MembershipReviewJob);
    t.clock.set('2026-01-10T02:00:00Z');
  });
  // Issue 14: every module's invariants hold after every test (one checker for all), then the app goes.
  afterEach(async () => {
    if (t) await expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url });
    await t?.close();
  });

  it('keeps a tier through the grace period after the spend drops, then lowers it to what the spend reaches', async () => {
    const [me] = await insertJoinedMembers(t.db.dataSource, 1, `tier-${kind}`, new Date('2026-01-01T00:00:00Z'));
    await buy(me, 1_200_000); // ¥12,000: gold at once
    expect((await memberRow(me)).tier).toBe('gold');

    t.clock.set('2027-01-11T02:00:00Z'); // the purchase left the 12-month window
    expect(await job.review()).toMatchObject({ downgraded: 0, graceStarted: 1 });
    expect(await memberRow(me)).toMatchObject({ tier: 'gold', tierBelowSince: new Date('2027-01-11T02:00:00Z') });

    t.clock.advance(29 * DAY);
    await job.review();
    expect((await memberRow(me)).tier).toBe('gold');

    t.clock.advance(DAY);
    expect(await job.review()).toMatchObject({ downgraded: 1 });
    expect(await memberRow(me)).toMatchObject({ tier: 'normal', tierBelowSince: null });
    expect(await job.review()).toMatchObject({ downgraded: 0, graceStarted: 0 }); // nothing left to do
  });

  it('clears the grace period when the member spends back above the tier', async () => {
    const [me] = await insertJoinedMembers(t.db.dataSource, 1, `back-${kind}`, new Date('2026-01-01T00:00:00Z'));
    await buy(me, 300_000); // silver
    t.clock.set('2027-01-11T02:00:00Z');
    await job.review();
    expect((await memberRow(me)).tierBelowSince).not.toBeNull();
    await buy(me, 250_000);
    await job.review();
    t.clock.advance(60 * DAY);
    await job.review();
    expect(await memberRow(me)).toMatchObject({ tier: 'silver', tierBelowSince: null });
  });

  it('a review racing a purchase never leaves the member below what the purchase earns', async () => {
    const members = await insertJoinedMembers(t.db.dataSource, 8, `race-${kind}`, new Date('2026-01-01T00:00:00Z'));
    for (const id of members) await buy(id, 1_200_000); // gold
    t.clock.set('2027-01-11T02:00:00Z');
    await job.review(); // the grace period starts for all
    t.clock.advance(31 * DAY); // over: the next review would lower them…
    // …while each buys ¥10,000 again, which keeps them gold whichever commits first.
    await Promise.all([job.review(), ...members.map((id) => buy(id, 1_000_000))]);
    for (const id of members) expect(await memberRow(id)).toMatchObject({ tier: 'gold' });
    await job.review();
    for (const id of members) expect(await memberRow(id)).toMatchObject({ tier: 'gold', tierBelowSince: null });
  });

  it('moves members through new → active → regular → dormant → churned, the same when run twice at once', async () => {
    const [fresh, buyer, regular] = await insertJoinedMembers(t.db.dataSource, 3, `life-${kind}`, new Date('2026-01-09T00:00:00Z'));
    for (const month of ['2026-01', '2026-02', '2026-03']) {
      for (const day of ['05', '12', '19']) {
        t.clock.set(`${month}-${day}T04:00:00Z`);
        await buy(regular, 1000);
      }
    }
    t.clock.set('2026-03-20T04:00:00Z');
    await buy(buyer, 1000);
    t.clock.set('2026-04-02T04:00:00Z');
    await Promise.all([job.review(), job.review()]);
    const statuses = async () => Promise.all([fresh, buyer, regular].map(async (id) => (await memberRow(id)).lifecycleStatus));
    // Never bought and joined 83 days ago: still new; bought once: active; 3 × 3 months: regular.
    expect(await statuses()).toEqual(['new', 'active', 'regular']);
    t.clock.set('2026-07-10T04:00:00Z'); // 182 days since joining; 112 and 113 since their last purchases
    await job.review();
    expect(await statuses()).toEqual(['churned', 'dormant', 'dormant']);
  });
});
