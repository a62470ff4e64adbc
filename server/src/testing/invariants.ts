import type { DataSource } from 'typeorm';
import { grantMismatches } from './ledgers';

/**
 * The rules every module keeps together, checked on the whole database at once (MariaDB or SQLite): what must
 * hold after any history of operations, whoever ran them and in whatever order. Each check is one set-based
 * query answering the rows that break it, so the checker stays cheap enough to run after every test.
 *
 * Kept to the schema (the migrations), not to any service: a test can end in any state, and a service's own
 * reading of the data is exactly what this must not trust.
 */
export interface InvariantViolation {
  /** Which rule broke (a stable name, e.g. `points.balance-ledger-lots`). */
  invariant: string;
  /** The rows that break it, as the query read them. */
  rows: Array<Record<string, unknown>>;
}

export interface InvariantOptions {
  /** The WeChat emulator's URL: our message grants are compared with its quota when given. */
  emulatorUrl?: string;
  /** Rules to leave out by name (a test that corrupts data on purpose), e.g. `['points.balance-ledger-lots']`. */
  skip?: string[];
}

const CHECKS: Array<{ invariant: string; sql: string }> = [
  {
    invariant: 'points.balance-ledger-lots',
    // balance = Σ ledger = Σ lot remaining, and never negative.
    sql: `SELECT m.id AS memberId, m.points_balance AS balance, COALESCE(l.total, 0) AS ledger, COALESCE(p.total, 0) AS lots
            FROM member m
            LEFT JOIN (SELECT member_id, SUM(delta) AS total FROM points_ledger GROUP BY member_id) l ON l.member_id = m.id
            LEFT JOIN (SELECT member_id, SUM(remaining) AS total FROM points_lot GROUP BY member_id) p ON p.member_id = m.id
           WHERE m.points_balance < 0 OR m.points_balance <> COALESCE(l.total, 0) OR m.points_balance <> COALESCE(p.total, 0)`,
  },
  {
    invariant: 'points.lot-within-original',
    sql: `SELECT id AS lotId, member_id AS memberId, points, remaining
            FROM points_lot WHERE remaining < 0 OR remaining > points OR points <= 0`,
  },
  {
    invariant: 'points.ledger-balance-after-not-negative',
    sql: `SELECT id AS lineId, member_id AS memberId, delta, balance_after AS balanceAfter, source_key AS sourceKey
            FROM points_ledger WHERE balance_after < 0`,
  },
  {
    invariant: 'points.ledger-running-balance',
    // Each line's balance_after is the sum of the member's lines up to it (lines are written under the member's
    // lock, in id order).
    sql: `SELECT l.id AS lineId, l.member_id AS memberId, l.balance_after AS balanceAfter,
                 (SELECT SUM(e.delta) FROM points_ledger e WHERE e.member_id = l.member_id AND e.id <= l.id) AS running
            FROM points_ledger l
           WHERE l.balance_after <> (SELECT SUM(e.delta) FROM points_ledger e WHERE e.member_id = l.member_id AND e.id <= l.id)`,
  },
  {
    invariant: 'sale.purchase-refunds-within-paid',
    // A purchase's refunded_fen is its refunds' sum, within what was paid.
    sql: `SELECT p.id AS purchaseId, p.paid_fen AS paid, p.refunded_fen AS refunded, COALESCE(r.total, 0) AS refunds
            FROM purchase p
            LEFT JOIN (SELECT purchase_id, SUM(amount_fen) AS total FROM purchase_refund GROUP BY purchase_id) r ON r.purchase_id = p.id
           WHERE p.refunded_fen < 0 OR p.refunded_fen > p.paid_fen OR p.refunded_fen <> COALESCE(r.total, 0)`,
  },
  {
    invariant: 'sale.refund-ceiling-across-routes',
    // Money that left (or may leave) for one app-paid sale, by every route: WeChat Pay refunds asked or done,
    // plus till refunds of its purchase that no WeChat refund stands behind. Never above what was paid.
    sql: `SELECT o.out_trade_no AS outTradeNo, o.payable_fen AS paid, COALESCE(w.total, 0) AS wechat, COALESCE(t.total, 0) AS till
            FROM pay_order o
            LEFT JOIN (SELECT pay_order_id, SUM(amount_fen) AS total FROM pay_refund WHERE status <> 'failed' GROUP BY pay_order_id) w
              ON w.pay_order_id = o.id
            LEFT JOIN (SELECT pr.purchase_id, SUM(pr.amount_fen) AS total FROM purchase_refund pr
                        WHERE NOT EXISTS (SELECT 1 FROM pay_refund x WHERE x.purchase_refund_id = pr.id) GROUP BY pr.purchase_id) t
              ON t.purchase_id = o.purchase_id
           WHERE COALESCE(w.total, 0) + COALESCE(t.total, 0) > o.payable_fen`,
  },
  {
    invariant: 'sale.pay-order-refund-counters',
    // refunded_fen = Σ succeeded refunds ≤ refund_committed_fen = Σ refunds not failed (or flagged) ≤ payable.
    sql: `SELECT o.out_trade_no AS outTradeNo, o.payable_fen AS paid, o.refunded_fen AS refunded, o.refund_committed_fen AS committed,
                 COALESCE(s.total, 0) AS succeeded, COALESCE(c.total, 0) AS open
            FROM pay_order o
            LEFT JOIN (SELECT pay_order_id, SUM(amount_fen) AS total FROM pay_refund WHERE status = 'succeeded' GROUP BY pay_order_id) s
              ON s.pay_order_id = o.id
            LEFT JOIN (SELECT pay_order_id, SUM(amount_fen) AS total FROM pay_refund
                        WHERE status IN ('processing', 'succeeded') GROUP BY pay_order_id) c ON c.pay_order_id = o.id
           WHERE o.refunded_fen <> COALESCE(s.total, 0) OR o.refund_committed_fen < COALESCE(c.total, 0)
              OR o.refund_committed_fen > o.payable_fen OR o.refunded_fen > o.refund_committed_fen`,
  },
  {
    invariant: 'sale.paid-order-has-its-purchase',
    // A paid order was settled once: one purchase, for what WeChat charged; any other order has none.
    sql: `SELECT o.out_trade_no AS outTradeNo, o.status, o.purchase_id AS purchaseId, p.paid_fen AS purchasePaid, o.payable_fen AS payable,
                 (SELECT COUNT(*) FROM purchase q WHERE q.staff_openid = 'wechat-pay' AND q.idempotency_key = o.out_trade_no) AS purchases
            FROM pay_order o LEFT JOIN purchase p ON p.id = o.purchase_id
           WHERE (o.status = 'paid' AND (p.id IS NULL OR p.paid_fen <> o.payable_fen))
              OR (SELECT COUNT(*) FROM purchase q WHERE q.staff_openid = 'wechat-pay' AND q.idempotency_key = o.out_trade_no)
                 > (CASE WHEN o.status = 'paid' THEN 1 ELSE 0 END)`,
  },
  {
    invariant: 'coupon.status-agrees-with-redemptions',
    // A redeemed coupon has exactly one redemption in force; any other coupon has none.
    sql: `SELECT c.id AS couponId, c.status, COALESCE(r.active, 0) AS activeRedemptions
            FROM coupon c
            LEFT JOIN (SELECT coupon_id, COUNT(*) AS active FROM coupon_redemption WHERE status = 'redeemed' GROUP BY coupon_id) r
              ON r.coupon_id = c.id
           WHERE COALESCE(r.active, 0) <> (CASE WHEN c.status = 'redeemed' THEN 1 ELSE 0 END)`,
  },
  {
    invariant: 'coupon.redemption-of-its-member',
    sql: `SELECT r.id AS redemptionId, r.coupon_id AS couponId, r.member_id AS redemptionMember, c.member_id AS couponMember
            FROM coupon_redemption r JOIN coupon c ON c.id = r.coupon_id
           WHERE r.member_id <> c.member_id`,
  },
  {
    invariant: 'coupon.held-by-its-order',
    // An app order holds its coupon while pending and keeps it once paid (until a full refund); a closed or
    // flagged order holds nothing.
    sql: `SELECT o.out_trade_no AS outTradeNo, o.status AS orderStatus, o.payable_fen AS payable, o.refunded_fen AS refunded,
                 r.status AS redemption, c.status AS coupon
            FROM pay_order o JOIN coupon_redemption r ON r.id = o.redemption_id JOIN coupon c ON c.id = r.coupon_id
           WHERE (o.status = 'pending' AND (r.status <> 'redeemed' OR c.status <> 'redeemed'))
              OR (o.status IN ('closed', 'flagged') AND r.status = 'redeemed')
              OR (o.status = 'paid' AND o.refunded_fen < o.payable_fen AND r.status <> 'redeemed')
              OR (o.coupon_id IS NOT NULL AND o.coupon_id <> r.coupon_id)`,
  },
  {
    invariant: 'coupon.order-with-coupon-has-redemption',
    sql: `SELECT o.out_trade_no AS outTradeNo, o.status, o.coupon_id AS couponId
            FROM pay_order o
           WHERE o.coupon_id IS NOT NULL AND o.redemption_id IS NULL AND o.status IN ('pending', 'paid') AND o.prepay_id IS NOT NULL`,
  },
  {
    invariant: 'coupon.held-by-its-purchase',
    // A till purchase (or a settled app order) keeps its coupon until it is refunded in full.
    sql: `SELECT p.id AS purchaseId, p.paid_fen AS paid, p.refunded_fen AS refunded, r.status AS redemption, c.status AS coupon
            FROM purchase p JOIN coupon_redemption r ON r.id = p.redemption_id JOIN coupon c ON c.id = r.coupon_id
           WHERE ((p.refunded_fen < p.paid_fen OR p.paid_fen = 0) AND r.status <> 'redeemed')
              OR (p.paid_fen > 0 AND p.refunded_fen = p.paid_fen AND r.status = 'redeemed')`,
  },
  {
    invariant: 'sale.amounts-add-up',
    // Money = gross − member price − coupon − points (1 point = 1 fen), on both sale tables; the member discount is
    // the recorded per-mille of the gross rounded down (1000: none).
    sql: `SELECT 'purchase' AS saleTable, id, gross_fen AS gross, member_discount_fen AS member, member_price_permille AS permille,
                 coupon_discount_fen AS coupon, points_burned AS points, paid_fen AS money
            FROM purchase
           WHERE paid_fen <> gross_fen - member_discount_fen - coupon_discount_fen - points_burned
              OR member_discount_fen * 1000 > gross_fen * (1000 - member_price_permille)
              OR (member_discount_fen + 1) * 1000 <= gross_fen * (1000 - member_price_permille)
          UNION ALL
          SELECT 'pay_order' AS saleTable, id, gross_fen AS gross, member_discount_fen AS member, member_price_permille AS permille,
                 coupon_discount_fen AS coupon, points_burned AS points, payable_fen AS money
            FROM pay_order
           WHERE payable_fen <> gross_fen - member_discount_fen - coupon_discount_fen - points_burned
              OR member_discount_fen * 1000 > gross_fen * (1000 - member_price_permille)
              OR (member_discount_fen + 1) * 1000 <= gross_fen * (1000 - member_price_permille)`,
  },
  {
    invariant: 'sale.refund-shares',
    // Each refund's shares add up like the sale (amount = gross − member − coupon − points restored); a sale's
    // refunds never share out more than the sale had, and a sale refunded in full has shared out exactly its
    // numbers. Refunds from before issue 17 (gross share 0) are left out.
    sql: `SELECT p.id AS purchaseId, p.gross_fen AS gross, p.member_discount_fen AS member, p.coupon_discount_fen AS coupon,
                 p.points_burned AS burned, p.paid_fen AS paid, p.refunded_fen AS refunded, r.gross AS grossShares,
                 r.member AS memberShares, r.coupon AS couponShares, r.points AS pointsShares, r.broken AS brokenRefunds
            FROM purchase p
            JOIN (SELECT purchase_id, SUM(gross_share_fen) AS gross, SUM(member_discount_share_fen) AS member,
                         SUM(coupon_discount_share_fen) AS coupon, SUM(points_restored) AS points, MIN(gross_share_fen) AS oldest,
                         SUM(CASE WHEN gross_share_fen <> amount_fen + member_discount_share_fen + coupon_discount_share_fen
                                  + points_restored THEN 1 ELSE 0 END) AS broken
                    FROM purchase_refund GROUP BY purchase_id) r ON r.purchase_id = p.id
           WHERE r.oldest > 0 AND (r.broken > 0 OR r.gross > p.gross_fen OR r.member > p.member_discount_fen
              OR r.coupon > p.coupon_discount_fen OR r.points > p.points_burned
              OR (p.paid_fen > 0 AND p.refunded_fen = p.paid_fen AND (r.gross <> p.gross_fen OR r.member <> p.member_discount_fen
                  OR r.coupon <> p.coupon_discount_fen OR r.points <> p.points_burned)))`,
  },
  {
    invariant: 'coupon.template-counters',
    // claimed_count = coupons issued ≤ stock; redeemed_count = redemptions in force.
    sql: `SELECT t.id AS templateId, t.total_stock AS stock, t.claimed_count AS claimed, COALESCE(c.issued, 0) AS issued,
                 t.redeemed_count AS redeemed, COALESCE(r.active, 0) AS activeRedemptions
            FROM coupon_template t
            LEFT JOIN (SELECT template_id, COUNT(*) AS issued FROM coupon GROUP BY template_id) c ON c.template_id = t.id
            LEFT JOIN (SELECT k.template_id, COUNT(*) AS active FROM coupon_redemption x JOIN coupon k ON k.id = x.coupon_id
                        WHERE x.status = 'redeemed' GROUP BY k.template_id) r ON r.template_id = t.id
           WHERE t.claimed_count <> COALESCE(c.issued, 0) OR t.claimed_count > t.total_stock OR t.redeemed_count <> COALESCE(r.active, 0)`,
  },
  {
    invariant: 'points.held-by-its-order',
    // Points an app order burns are held while it is pending or paid and given back once it is closed or flagged.
    sql: `SELECT o.out_trade_no AS outTradeNo, o.status, o.points_burned AS burned, COALESCE(b.delta, 0) AS held,
                 COALESCE(g.delta, 0) AS released
            FROM pay_order o
            LEFT JOIN points_ledger b ON b.source_key = ${concat("'payorder:'", 'o.out_trade_no', "':burn'")}
            LEFT JOIN points_ledger g ON g.source_key = ${concat("'payorder:'", 'o.out_trade_no', "':release'")}
           WHERE o.points_burned > 0 AND (
                 COALESCE(b.delta, 0) <> -o.points_burned
              OR (o.status IN ('closed', 'flagged') AND COALESCE(g.delta, 0) <> o.points_burned)
              OR (o.status IN ('pending', 'paid') AND g.id IS NOT NULL))`,
  },
  {
    invariant: 'points.purchase-effects',
    // A purchase earned what it says, once; its refunds took back no more than it earned and gave back no more
    // than it burned.
    sql: `SELECT p.id AS purchaseId, p.points_earned AS earned, COALESCE(e.delta, 0) AS earnLine, COALESCE(r.clawed, 0) AS clawed,
                 COALESCE(r.restored, 0) AS restored, p.points_burned AS burned
            FROM purchase p
            LEFT JOIN points_ledger e ON e.source_key = ${concat("'purchase:'", 'p.id', "':earn'")}
            LEFT JOIN (SELECT purchase_id, SUM(points_clawed + points_shortfall) AS clawed, SUM(points_restored) AS restored
                         FROM purchase_refund GROUP BY purchase_id) r ON r.purchase_id = p.id
           WHERE COALESCE(e.delta, 0) <> p.points_earned OR COALESCE(r.clawed, 0) > p.points_earned
              OR COALESCE(r.restored, 0) > p.points_burned`,
  },
  {
    invariant: 'purchase-rules.counters-match-grants',
    // A rule with a budget: its counters are its grants (count, points, coupons), within the budget. Without one it
    // keeps no counters (they stay 0; its numbers are counted from its grants).
    sql: `SELECT r.id AS ruleId, r.granted_count AS grantedCount, COALESCE(g.n, 0) AS grants, r.points_granted AS pointsGranted,
                 COALESCE(g.points, 0) AS grantPoints, r.coupons_granted AS couponsGranted, COALESCE(g.coupons, 0) AS grantCoupons,
                 r.max_grants AS maxGrants, r.max_points AS maxPoints, r.max_coupons AS maxCoupons
            FROM purchase_rule r
            LEFT JOIN (SELECT rule_id, COUNT(*) AS n, SUM(points) AS points, SUM(coupon_count) AS coupons
                         FROM purchase_rule_grant GROUP BY rule_id) g ON g.rule_id = r.id
           WHERE (r.max_grants IS NULL AND r.max_points IS NULL AND r.max_coupons IS NULL
                  AND r.granted_count + r.points_granted + r.coupons_granted <> 0)
              OR ((r.max_grants IS NOT NULL OR r.max_points IS NOT NULL OR r.max_coupons IS NOT NULL)
                  AND (r.granted_count <> COALESCE(g.n, 0) OR r.points_granted <> COALESCE(g.points, 0)
                       OR r.coupons_granted <> COALESCE(g.coupons, 0)))
              OR (r.max_grants IS NOT NULL AND r.granted_count > r.max_grants)
              OR (r.max_points IS NOT NULL AND r.points_granted > r.max_points)
              OR (r.max_coupons IS NOT NULL AND r.coupons_granted > r.max_coupons)`,
  },
  {
    invariant: 'purchase-rules.grant-effects',
    // A grant issued the coupons it counts (to the purchase's member) and credited its points once; a grant
    // taken back clawed back no more than it gave.
    sql: `SELECT g.id AS grantId, g.coupon_count AS couponCount, COALESCE(c.n, 0) AS coupons, g.points,
                 COALESCE(l.delta, 0) AS pointsLine, g.points_clawed AS clawed, g.points_shortfall AS shortfall
            FROM purchase_rule_grant g
            LEFT JOIN (SELECT gc.grant_id, COUNT(*) AS n, SUM(CASE WHEN cp.member_id = gr.member_id THEN 0 ELSE 1 END) AS foreign_n
                         FROM purchase_rule_grant_coupon gc JOIN coupon cp ON cp.id = gc.coupon_id
                         JOIN purchase_rule_grant gr ON gr.id = gc.grant_id GROUP BY gc.grant_id) c ON c.grant_id = g.id
            LEFT JOIN points_ledger l ON l.source_key = ${concat("'rule-grant:'", 'g.id', "':points'")}
            JOIN purchase p ON p.id = g.purchase_id
           WHERE g.coupon_count <> COALESCE(c.n, 0) OR COALESCE(c.foreign_n, 0) > 0 OR COALESCE(l.delta, 0) <> g.points
              OR p.member_id <> g.member_id OR g.points_clawed + g.points_shortfall > g.points
              OR (g.taken_back_at IS NULL AND g.points_clawed + g.points_shortfall + g.coupons_voided + g.loss_fen > 0)`,
  },
  {
    invariant: 'feedback.goodwill-matches-effect',
    // A points grant (goodwill or an admin's adjustment) has exactly one ledger line with its points, for its
    // member; a coupon grant names one coupon of its template in its member's wallet and gives no points.
    sql: `SELECT g.id AS grantId, g.kind, g.points, l.delta AS ledger, c.id AS couponId
            FROM goodwill_grant g
            LEFT JOIN points_ledger l ON l.member_id = g.member_id
                  AND l.source_key = ${concat("CASE WHEN g.kind = 'adjustment' THEN 'adjust:' ELSE 'goodwill:' END", 'g.id')}
            LEFT JOIN coupon c ON c.id = g.coupon_id AND c.member_id = g.member_id AND c.template_id = g.template_id
           WHERE (g.kind IN ('points', 'adjustment') AND (l.delta IS NULL OR l.delta <> g.points OR g.coupon_id IS NOT NULL))
              OR (g.kind = 'coupon' AND (c.id IS NULL OR g.points <> 0 OR l.id IS NOT NULL))`,
  },
  {
    invariant: 'feedback.case-timeline',
    // A case's times follow its status: answered before resolved, resolved before rated; one goodwill per case.
    sql: `SELECT id AS caseId, status FROM feedback_case
           WHERE (status IN ('responded', 'resolved', 'closed') AND first_response_at IS NULL)
              OR (status IN ('resolved', 'closed') AND resolved_at IS NULL)
              OR (status = 'closed') <> (rating IS NOT NULL)
              OR (status = 'open' AND (first_response_at IS NOT NULL OR resolved_at IS NOT NULL))`,
  },
  {
    invariant: 'metrics.snapshot-day-recorded',
    // Every day with figures was written by a snapshot, which records the day (and holds its lock) first.
    sql: `SELECT DISTINCT d.day FROM metric_day d LEFT JOIN metric_snapshot s ON s.day = d.day WHERE s.day IS NULL`,
  },
  {
    invariant: 'metrics.segment-migration-covers-month',
    // A month's migration matrix counts each member of that month's segment snapshot exactly once.
    sql: `SELECT h.month, h.n AS members, COALESCE(g.n, 0) AS migrated
            FROM (SELECT month, COUNT(*) AS n FROM member_segment_month GROUP BY month) h
            LEFT JOIN (SELECT month, SUM(members) AS n FROM metric_segment_migration GROUP BY month) g ON g.month = h.month
           WHERE COALESCE(g.n, 0) <> h.n`,
  },
  {
    invariant: 'import.row-is-its-member',
    // An imported row names the member it made: the same phone (hash), and its opening points credited once,
    // exactly as the file said (no line when it gave none).
    sql: `SELECT r.job_id AS jobId, r.row_no AS rowNo FROM import_row r
            LEFT JOIN member m ON m.id = r.member_id
            LEFT JOIN points_ledger l ON l.member_id = r.member_id AND l.source_key = ${concat("'import:member:'", 'r.member_id')}
           WHERE r.status = 'imported'
             AND (m.id IS NULL OR m.phone_hash <> r.phone_hash OR m.imported_at IS NULL
                  OR (r.points > 0 AND (l.id IS NULL OR l.delta <> r.points)) OR (r.points = 0 AND l.id IS NOT NULL))`,
  },
  {
    invariant: 'import.cursor-covers-imported',
    // The resume point moves in the transaction that imports a chunk: no row past it is imported, and a finished
    // import has no row left valid (each was imported, skipped as a member already, or refused).
    sql: `SELECT r.job_id AS jobId, r.row_no AS rowNo, r.status FROM import_row r JOIN import_job j ON j.id = r.job_id
           WHERE (r.status = 'imported' AND r.row_no > j.cursor_row) OR (j.status = 'done' AND r.status = 'valid')`,
  },
  {
    invariant: 'staff.invite-accepted-made-account',
    // An accepted invite names the account it made (same WeChat user); only an accepted one names anyone.
    sql: `SELECT i.id AS inviteId, i.status, i.accepted_staff_id AS staffId, i.accepted_openid AS openid, s.openid AS staffOpenid
            FROM staff_invite i LEFT JOIN staff_member s ON s.id = i.accepted_staff_id
           WHERE (i.status = 'accepted' AND (s.id IS NULL OR s.openid <> i.accepted_openid))
              OR (i.status <> 'accepted' AND (i.accepted_staff_id IS NOT NULL OR i.accepted_openid IS NOT NULL))`,
  },
  {
    invariant: 'settings.versions-contiguous',
    // A setting's versions are 1..n with no gap: each save made exactly the next one from the one it saw.
    sql: `SELECT setting_key AS settingKey, COUNT(*) AS versions, MIN(version) AS lowest, MAX(version) AS highest
            FROM setting_version GROUP BY setting_key HAVING MIN(version) <> 1 OR MAX(version) <> COUNT(*)`,
  },
  {
    invariant: 'member.phone-last4-matches-mask',
    // The console's 手机尾号 column says what the mask says: the last four digits of a bound mainland number
    // (masked "138****8000"), and nothing once the number is gone (注销) or for a shorter foreign one.
    sql: `SELECT id AS memberId, phone_masked AS masked, phone_last4 AS last4 FROM member
           WHERE (phone_last4 IS NOT NULL AND (phone_hash IS NULL OR phone_masked IS NULL OR phone_last4 <> SUBSTR(phone_masked, -4)))
              OR (phone_last4 IS NULL AND phone_hash IS NOT NULL AND phone_masked LIKE '%****____')`,
  },
];

/** String concatenation in both dialects (MySQL's || is OR unless PIPES_AS_CONCAT; SQLite has no CONCAT before 3.44). */
function concat(...parts: string[]): string {
  return `__CONCAT__(${parts.join(', ')})`;
}

function dialect(dataSource: DataSource, sql: string): string {
  const mysql = dataSource.options.type === 'mysql' || dataSource.options.type === 'mariadb';
  return sql.replace(/__CONCAT__\(([^()]*)\)/g, (_, inner: string) => (mysql ? `CONCAT(${inner})` : `(${inner.split(', ').join(' || ')})`));
}

/** Every invariant that does not hold right now, with the rows that break it; empty when all hold. */
export async function checkInvariants(dataSource: DataSource, options: InvariantOptions = {}): Promise<InvariantViolation[]> {
  const skip = new Set(options.skip ?? []);
  const violations: InvariantViolation[] = [];
  for (const check of CHECKS) {
    if (skip.has(check.invariant)) continue;
    const rows = (await dataSource.query(dialect(dataSource, check.sql))) as Array<Record<string, unknown>>;
    if (rows.length > 0) violations.push({ invariant: check.invariant, rows: rows.slice(0, 20).map(plain) });
  }
  if (options.emulatorUrl && !skip.has('messages.grants-match-wechat')) {
    const mismatches = await grantMismatches(dataSource, options.emulatorUrl);
    if (mismatches.length > 0) violations.push({ invariant: 'messages.grants-match-wechat', rows: mismatches.slice(0, 20) });
  }
  return violations;
}

/** The names of every invariant the checker knows. */
export const INVARIANTS: string[] = [...CHECKS.map((c) => c.invariant), 'messages.grants-match-wechat'];

/** Jest: fails the test with the broken invariants and their rows. */
export async function expectInvariants(dataSource: DataSource, options: InvariantOptions = {}): Promise<void> {
  const violations = await checkInvariants(dataSource, options);
  if (violations.length > 0) throw new Error(`invariants broken:\n${JSON.stringify(violations, null, 2)}`);
}

/** Numbers as numbers (MariaDB answers SUMs as decimal strings), so reports read the same on both databases. */
function plain(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+(\.0+)?$/.test(v) ? Number(v) : v]));
}
