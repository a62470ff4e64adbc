import { templateRequest } from '../testing/coupon-fixtures';
import { expectInvariants } from '../testing/invariants';
import { joinedMembersSpec } from '../testing/spec';
import type { TestApp } from '../testing/test-app';
import { flushCouponsStatement } from './claim-flush';
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
});
