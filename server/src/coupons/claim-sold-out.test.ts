import { Member } from '../members/member.entity';
import { templateRequest } from '../testing/coupon-fixtures';
import { TEST_DATABASES } from '../testing/databases';
import { expectInvariants } from '../testing/invariants';
import { codeOf, joinedMembersSpec, keyMaker } from '../testing/spec';
import type { TestApp } from '../testing/test-app';
import { ClaimService } from './claim.service';
import { TemplatesService } from './templates.service';

const START = '2026-11-23T02:00:00Z';
const key = keyMaker('so');

/**
 * The sold-out memory answers as the database path does. It holds only the sold-out template's coupons, so a key
 * this member already used on ANOTHER template is not in it: the database path answers IDEMPOTENCY_KEY_REUSED
 * (before any rule), and so must the memory, not 已领完.
 */
describe.each(TEST_DATABASES)('the sold-out memory on %s', (kind) => {
  const { start, member } = joinedMembersSpec(kind, 'so', 20, '2026-11-20T00:00:00Z');
  let t: TestApp;
  let templates: TemplatesService;
  let claims: ClaimService;

  beforeAll(async () => {
    t = await start();
    templates = t.app.get(TemplatesService);
    claims = t.app.get(ClaimService);
  });
  beforeEach(() => t.clock.set(START));
  afterEach(async () => {
    await claims.combiner.drain();
    await expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url });
  });

  async function soldOutTemplate(perMemberLimit = 1, overrides: Parameters<typeof templateRequest>[1] = {}, first = member()) {
    const template = await templates.create(templateRequest(t.clock.now(), { totalStock: 1, perMemberLimit, ...overrides }));
    await claims.claim(first, template.id, key());
    await claims.combiner.drain();
    expect(claims.combiner.isSoldOutInMemory(template.id)).toBe(true);
    return template;
  }

  it('answers a key this member used on another template IDEMPOTENCY_KEY_REUSED, as the database path does', async () => {
    const other = await templates.create(templateRequest(t.clock.now()));
    const me = member();
    const reused = key();
    await claims.claim(me, other.id, reused);
    // The database path (a template with stock): the key's coupon is of another template.
    const open = await templates.create(templateRequest(t.clock.now()));
    expect(codeOf(await claims.claim(me, open.id, reused).catch((e) => e))).toBe('IDEMPOTENCY_KEY_REUSED');

    const soldOut = await soldOutTemplate();
    const flushes = claims.combiner.stats.flushes;
    const fromMemory = claims.combiner.stats.soldOutAnswers;
    expect(codeOf(await claims.claim(me, soldOut.id, reused).catch((e) => e))).toBe('IDEMPOTENCY_KEY_REUSED');
    // Answered by the memory (a look-up of the key, no flush), and the same as a result value for the HTTP route.
    expect(claims.combiner.stats.flushes).toBe(flushes);
    expect(claims.combiner.stats.soldOutAnswers).toBe(fromMemory + 1);
    expect(await claims.claimResult(me, soldOut.id, reused)).toEqual({ kind: 'refused', code: 'IDEMPOTENCY_KEY_REUSED' });
    // A fresh key of the same member is still 已领完, and nothing was written.
    expect(codeOf(await claims.claim(me, soldOut.id, key()).catch((e) => e))).toBe('COUPON_OUT_OF_STOCK');
    expect((await templates.get(soldOut.id)).claimedCount).toBe(1);
  });

  it("tells keys differing only in case apart: the holder's other-case key is 已领完, its own key its coupon", async () => {
    const me = member();
    const mixed = `${key()}-MiXeD`;
    const template = await templates.create(templateRequest(t.clock.now(), { totalStock: 1, perMemberLimit: 2 }));
    const mine = await claims.claim(me, template.id, mixed);
    await claims.combiner.drain();
    expect(claims.combiner.isSoldOutInMemory(template.id)).toBe(true);
    const fromMemory = claims.combiner.stats.soldOutAnswers;
    // Not in the memory's own list: looked up in the database, and what it finds is matched to the tap exactly.
    expect(codeOf(await claims.claim(me, template.id, mixed.toLowerCase()).catch((e) => e))).toBe('COUPON_OUT_OF_STOCK');
    expect(codeOf(await claims.claim(me, template.id, mixed.toUpperCase()).catch((e) => e))).toBe('COUPON_OUT_OF_STOCK');
    expect((await claims.claim(me, template.id, mixed)).id).toBe(mine.id);
    expect(claims.combiner.stats.soldOutAnswers).toBe(fromMemory + 3);
  });

  it('answers many sold-out taps at once, each by its own key (one look-up statement for all of them)', async () => {
    const other = await templates.create(templateRequest(t.clock.now(), { totalStock: 10 }));
    const soldOut = await soldOutTemplate();
    const reusers = [member(), member(), member()];
    const keys = reusers.map(() => key());
    await Promise.all(reusers.map((m, i) => claims.claim(m, other.id, keys[i])));
    const taps = [
      ...reusers.map((m, i) => claims.claimResult(m, soldOut.id, keys[i])),
      ...reusers.map((m) => claims.claimResult(m, soldOut.id, key())),
    ];
    expect((await Promise.all(taps)).map((r) => (r.kind === 'refused' ? r.code : r.kind))).toEqual([
      'IDEMPOTENCY_KEY_REUSED',
      'IDEMPOTENCY_KEY_REUSED',
      'IDEMPOTENCY_KEY_REUSED',
      'COUPON_OUT_OF_STOCK',
      'COUPON_OUT_OF_STOCK',
      'COUPON_OUT_OF_STOCK',
    ]);
  });

  it('answers who may not claim as the database path does (not joined, not in the audience, no such member), not 已领完', async () => {
    const goldOnly = { audience: 'tiers' as const, audienceTiers: ['gold' as const, 'diamond' as const] };
    const [gold, silver] = [member(), member()];
    await t.db.dataSource.getRepository(Member).update({ id: gold }, { tier: 'gold' });
    const [notJoined] = await t.db.dataSource
      .getRepository(Member)
      .insert({ openid: `so-nj-${kind}` })
      .then((r) => r.identifiers.map((i) => i.id as number));
    const taps = (templateId: number) => Promise.all([silver, notJoined, 99_999_999].map((m) => claims.claimResult(m, templateId, key())));
    // The database path, on a template with stock and the same audience.
    const open = await templates.create(templateRequest(t.clock.now(), goldOnly));
    const expected = await taps(open.id);
    expect(expected.map((r) => (r.kind === 'refused' ? r.code : r.kind))).toEqual([
      'COUPON_NOT_ELIGIBLE',
      'MEMBER_NOT_JOINED',
      'MEMBER_NOT_FOUND',
    ]);
    const soldOut = await soldOutTemplate(1, goldOnly, gold);
    const fromMemory = claims.combiner.stats.soldOutAnswers;
    expect(await taps(soldOut.id)).toEqual(expected);
    expect(claims.combiner.stats.soldOutAnswers).toBe(fromMemory + 3);
  });
});
