import { templateRequest } from '../testing/coupon-fixtures';
import { expectInvariants } from '../testing/invariants';
import { joinedMembersSpec } from '../testing/spec';
import type { TestApp } from '../testing/test-app';
import { flushCouponsStatement } from './claim-flush';
import { Coupon } from './coupon.entity';
import { CouponIssuer, newCouponCode, type NewCoupon } from './coupon-issuer';
import { TemplatesService } from './templates.service';

const START = '2026-11-23T02:00:00Z';
const CLAIMED = 2400;
const BATCH = 300;

type Row = Record<string, unknown>;

const INSERT_COUPON =
  'INSERT INTO coupon (template_id, member_id, seq, code, status, valid_from, valid_until, idempotency_key, ' +
  'claimed_at, created_at, updated_at)';

/**
 * A flush reads its batch's coupons under the template row's lock, so that read must cost what the batch costs,
 * not what the template holds. With an IN list of more than 200 members (eq_range_index_dive_limit) MariaDB
 * estimated from statistics and read every coupon of the template through (template_id, …); the flush now joins
 * from the batch (jsonBatchTable), a look-up per member and per key. MariaDB only: that is where the plan lives.
 */
describe('a flush reads its batch by look-ups, however many coupons the template holds (mariadb)', () => {
  const { start } = joinedMembersSpec('mariadb', 'reads', CLAIMED + 100, '2026-11-20T00:00:00Z');
  let t: TestApp;

  beforeAll(async () => {
    t = await start();
  });
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));

  it(`${BATCH} members on a template with ${CLAIMED} coupons: the same rows as IN lists, from a few index reads per member`, async () => {
    t.clock.set(START);
    const template = await t.app.get(TemplatesService).create(templateRequest(t.clock.now(), { totalStock: 5000 }));
    const other = await t.app.get(TemplatesService).create(templateRequest(t.clock.now(), { totalStock: 5000 }));
    const memberIds = (
      (await t.db.dataSource.query("SELECT id FROM member WHERE openid LIKE 'reads-%' ORDER BY id")) as Array<{ id: number | string }>
    ).map((row) => Number(row.id));
    const holders = memberIds.slice(0, CLAIMED);
    const at = t.clock.now();
    const until = new Date(at.getTime() + 7 * 86_400_000);
    for (let i = 0; i < holders.length; i += 500) {
      const chunk = holders.slice(i, i + 500);
      await t.db.dataSource.query(
        `${INSERT_COUPON}
         SELECT ?, id, 1, CONCAT('8', LPAD(id, 15, '0')), 'available', ?, ?, CONCAT('held-', id), ?, ?, ? FROM member
          WHERE id IN (${chunk.map(() => '?').join(', ')})`,
        [template.id, at, until, at, at, at, ...chunk],
      );
    }
    await t.db.dataSource.query('UPDATE coupon_template SET claimed_count = ? WHERE id = ?', [CLAIMED, template.id]);
    // One member's key already made a coupon of the other template (a reused key).
    const reuser = memberIds[CLAIMED + 1];
    await t.db.dataSource.query(
      `${INSERT_COUPON}
       VALUES (?, ?, 1, '7000000000000001', 'available', ?, ?, 'reused-key', ?, ?, ?)`,
      [other.id, reuser, at, until, at, at, at],
    );
    await t.db.dataSource.query('UPDATE coupon_template SET claimed_count = 1 WHERE id = ?', [other.id]);

    // The batch: holders tapping with new keys, holders retrying the key of their coupon, members with none, the reuser.
    const taps = [
      ...holders.slice(0, 150).map((memberId) => ({ memberId, idempotencyKey: `new-${memberId}` })),
      ...holders.slice(150, 250).map((memberId) => ({ memberId, idempotencyKey: `held-${memberId}` })),
      ...memberIds.slice(CLAIMED + 2, CLAIMED + 51).map((memberId) => ({ memberId, idempotencyKey: `first-${memberId}` })),
      { memberId: reuser, idempotencyKey: 'reused-key' },
    ];
    expect(taps).toHaveLength(BATCH);

    const runner = t.db.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const handlerReads = async () => {
        const rows = (await runner.query("SHOW SESSION STATUS WHERE Variable_name IN ('Handler_read_next', 'Handler_read_key')")) as Array<{
          Variable_name: string;
          Value: string;
        }>;
        return Object.fromEntries(rows.map((row) => [row.Variable_name, Number(row.Value)]));
      };
      const joined = flushCouponsStatement(t.db.dataSource, template.id, taps);
      expect(joined.sql).toMatch(/JSON_TABLE/);
      const before = await handlerReads();
      const rows = (await runner.query(joined.sql, [...(joined.params ?? [])])) as Row[];
      const after = await handlerReads();
      // Each member's coupons of the template: one look-up and one step past them; each key: one look-up. The
      // template's other 2,000-odd coupons are not read (they were, all of them, through an IN list of 300).
      expect(after.Handler_read_next - before.Handler_read_next).toBeLessThan(3 * BATCH);
      expect(after.Handler_read_next - before.Handler_read_next).toBeLessThan(CLAIMED / 2);

      // The same rows as the IN-list form (SQLite's), which reads them by another plan.
      const listed = flushCouponsStatement('sqlite', template.id, taps);
      const expected = (await runner.query(listed.sql, [...(listed.params ?? [])])) as Row[];
      const key = (row: Row) => `${String(row.id)}|${String(row.code)}`;
      expect(rows.map(key).sort()).toEqual(expected.map(key).sort());
      // 250 holders counted; 100 retried keys and the reused key read whole.
      expect(rows.filter((row) => row.code === null)).toHaveLength(250);
      expect(
        rows
          .filter((row) => row.code !== null)
          .map((row) => String(row.idempotency_key))
          .sort(),
      ).toEqual([...holders.slice(150, 250).map((id) => `held-${id}`), 'reused-key'].sort());
    } finally {
      await runner.release();
    }
  });

  it("a flush's coupons (one template, one moment) go in as one JSON parameter; coupons that differ in more, as VALUES rows", async () => {
    t.clock.set(START);
    const template = await t.app.get(TemplatesService).create(templateRequest(t.clock.now(), { totalStock: 5000 }));
    const memberIds = (
      (await t.db.dataSource.query("SELECT id FROM member WHERE openid LIKE 'reads-%' ORDER BY id DESC LIMIT 40")) as Array<{
        id: number | string;
      }>
    ).map((row) => Number(row.id));
    const at = new Date('2026-11-23T02:00:00.123Z');
    const until = new Date('2026-11-30T15:59:59Z');
    const coupon = (memberId: number, i: number): NewCoupon => ({
      templateId: template.id,
      memberId,
      seq: 1,
      code: newCouponCode(),
      validFrom: at,
      validUntil: until,
      idempotencyKey: `json-${i}-'"\\-${memberId}`, // quotes and a backslash survive the JSON and the SQL
      claimedAt: at,
    });
    const shared = memberIds.slice(0, 30).map(coupon);
    const differing = memberIds
      .slice(30, 40)
      .map((memberId, i) => ({ ...coupon(memberId, 100 + i), validUntil: new Date(until.getTime() + i * 1000) }));
    const issuer = new CouponIssuer();
    const em = t.db.dataSource.manager;
    const [json] = issuer.issueManyStatements(em, shared, true);
    expect(json.sql).toMatch(/JSON_TABLE/);
    expect(json.params).toHaveLength(7);
    const [values] = issuer.issueManyStatements(em, differing, true);
    expect(values.sql).not.toMatch(/JSON_TABLE/);
    expect(values.params).toHaveLength(10 * differing.length);

    const inserted = await t.db.dataSource.transaction(async (tx) => {
      const ids = await tx.query(json.sql, [...(json.params ?? [])]);
      const more = await tx.query(values.sql, [...(values.params ?? [])]);
      await tx.query('UPDATE coupon_template SET claimed_count = claimed_count + ? WHERE id = ?', [
        shared.length + differing.length,
        template.id,
      ]);
      return [...(ids as Array<{ id: number; code: string }>), ...(more as Array<{ id: number; code: string }>)];
    });
    expect(inserted).toHaveLength(40);
    const rows = await t.db.dataSource.getRepository(Coupon).findBy({ templateId: template.id });
    const written = (c: Pick<Coupon, 'memberId' | 'seq' | 'code' | 'idempotencyKey' | 'validFrom' | 'validUntil' | 'claimedAt'>) =>
      [c.memberId, c.seq, c.code, c.idempotencyKey, c.validFrom.getTime(), c.validUntil.getTime(), c.claimedAt.getTime()].join('|');
    // Stored whole-second, as every datetime column here (the milliseconds are dropped the same way by both forms).
    const second = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);
    expect(rows.map(written).sort()).toEqual(
      [...shared, ...differing]
        .map((c) => written({ ...c, validFrom: second(c.validFrom), validUntil: second(c.validUntil), claimedAt: second(c.claimedAt) }))
        .sort(),
    );
    expect(rows.every((row) => row.status === 'available')).toBe(true);
    expect(new Set(inserted.map((row) => row.code))).toEqual(new Set(rows.map((row) => row.code)));
  });
});
