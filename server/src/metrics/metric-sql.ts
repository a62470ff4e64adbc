// Plain strings, no entities: the snapshot job's statements for MySQL/MariaDB and the embedded SQLite, kept apart
// from the job so the benchmark (tsx, no decorators) can read them too. Definitions: ./README.md.
import { intDiv, isMysql, supportsForceIndex, type DialectSource } from '../database/dialect';

export interface Statement {
  sql: string;
  params: unknown[];
}

/** String concatenation in both dialects (MySQL's || is OR; SQLite has no CONCAT before 3.44). */
export function concat(dialect: DialectSource, ...parts: string[]): string {
  return isMysql(dialect) ? `CONCAT(${parts.join(', ')})` : `(${parts.join(' || ')})`;
}

/**
 * A sale that counts as a visit: not refunded in full. A sale paid entirely with points or a coupon (paid 0) and
 * never refunded is still a visit.
 */
export const VISIT = '(p.refunded_fen = 0 OR p.refunded_fen < p.paid_fen)';

/** Ledger reasons that spend points (a restore gives burned points back, so it counts against spent). */
export const SPENT_REASONS = ['burn', 'exchange', 'restore'] as const;

/** One business day, as the instants and windows its statements take (dates already as SQL parameters). */
export interface DayParams {
  /** 'YYYY-MM-DD' in the business time zone. */
  day: string;
  /** The day's first instant and the next day's. */
  start: unknown;
  end: unknown;
  /** min(end, now): coupons whose validity ended before this are expired (today's still-valid ones are not). */
  expiredBefore: unknown;
  /** Start of the active window (end − activeWindowDays) and of the repurchase window. */
  activeSince: unknown;
  repurchaseSince: unknown;
  /** The earlier of the two: purchases before it are not read. */
  windowSince: unknown;
}

/**
 * MySQL: read a window of weeks of purchases by scanning the table rather than through idx_purchase_store_time
 * (store, time) and a primary-key look-up per row for the member and amounts: with the table larger than the
 * buffer pool those look-ups were random reads (38 s for 90 days of a million members, against seconds for a scan).
 */
function fullScan(dialect: DialectSource): string {
  return supportsForceIndex(dialect) ? ' IGNORE INDEX (idx_purchase_store_time, idx_purchase_member_time)' : '';
}

const STORE_PURCHASE_METRICS = ['member_sales_fen', 'member_purchases', 'buyers'] as const;

/** `SELECT 'a' AS metric UNION ALL SELECT 'b' …`: a row per metric to cross with one aggregate row. */
function metricNames(names: readonly string[]): string {
  return names.map((name, i) => `SELECT '${name}'${i === 0 ? ' AS metric' : ''}`).join(' UNION ALL ');
}

/** CASE picking the aggregate column named like the metric. */
function pick(names: readonly string[], alias: string): string {
  return `CASE x.metric ${names.map((name) => `WHEN '${name}' THEN ${alias}.${name}`).join(' ')} END`;
}

const INSERT_DAY = 'INSERT INTO metric_day (store_code, day, metric, value)';

/**
 * Everything one day writes into metric_day, chain-wide (store '') and per store where the figure has a store.
 * Each statement is one set-based INSERT … SELECT; the caller has deleted the day's rows first.
 */
export function dayStatements(dialect: DialectSource, d: DayParams): Statement[] {
  const statements: Statement[] = [];
  const chain = (metric: string, select: string, params: unknown[]) =>
    statements.push({ sql: `${INSERT_DAY} SELECT '', ?, '${metric}', COALESCE((${select}), 0)`, params: [d.day, ...params] });

  // Members: joined that day; joined by its end (deleted accounts have no joined_at any more); by tier and
  // lifecycle as they stand when the snapshot runs (the member table keeps no history of either).
  chain('members_new', 'SELECT COUNT(*) FROM member WHERE joined_at >= ? AND joined_at < ?', [d.start, d.end]);
  chain('members_total', 'SELECT COUNT(*) FROM member WHERE joined_at < ?', [d.end]);
  for (const [prefix, column] of [
    ['members_tier_', 'tier'],
    ['members_lifecycle_', 'lifecycle_status'],
  ])
    statements.push({
      sql: `${INSERT_DAY} SELECT '', ?, ${concat(dialect, `'${prefix}'`, column)}, COUNT(*) FROM member WHERE joined_at < ?
        GROUP BY ${column}`,
      params: [d.day, d.end],
    });

  // Member sales of the day: net of refunds known when the snapshot runs, by the sale's day and store.
  const daySales =
    'SELECT SUM(p.paid_fen - p.refunded_fen) AS member_sales_fen,' +
    ` SUM(CASE WHEN ${VISIT} THEN 1 ELSE 0 END) AS member_purchases,` +
    ` COUNT(DISTINCT CASE WHEN ${VISIT} THEN p.member_id END) AS buyers`;
  // Through the store table: one range of idx_purchase_store_time (store, time) per store, so a day reads only
  // its own sales (MySQL has no skip scan; without a store condition it read the whole index and table). The
  // store table keeps closed stores, so every sale's store is in it.
  const dayWhere = ' FROM store st JOIN purchase p ON p.store_code = st.code AND p.purchased_at >= ? AND p.purchased_at < ?';
  statements.push({
    sql: `${INSERT_DAY} SELECT s.store_code, ?, x.metric, COALESCE(${pick(STORE_PURCHASE_METRICS, 's')}, 0)
      FROM (${daySales}, st.code AS store_code${dayWhere} GROUP BY st.code) s
      CROSS JOIN (${metricNames(STORE_PURCHASE_METRICS)}) x`,
    params: [d.day, d.start, d.end],
  });
  statements.push({
    sql: `${INSERT_DAY} SELECT '', ?, x.metric, COALESCE(${pick(STORE_PURCHASE_METRICS, 's')}, 0)
      FROM (${daySales}${dayWhere}) s CROSS JOIN (${metricNames(STORE_PURCHASE_METRICS)}) x`,
    params: [d.day, d.start, d.end],
  });

  // Active members (a visit in the active window ending with the day) and repurchase (of the members with a
  // visit in the rolling window, those with two or more), per store and for the chain: one pass over the wider
  // window per statement, each member's visits counted once per store (per store) or once (chain).
  const windows = ['active_members', 'buyers_window', 'repeat_buyers_window'] as const;
  const visitsPer = (byStore: boolean) =>
    `SELECT ${byStore ? 'p.store_code AS store_code, ' : ''}p.member_id AS member_id,
            SUM(CASE WHEN p.purchased_at >= ? THEN 1 ELSE 0 END) AS n_active,
            SUM(CASE WHEN p.purchased_at >= ? THEN 1 ELSE 0 END) AS n_window
       FROM purchase p${fullScan(dialect)}
      WHERE p.purchased_at >= ? AND p.purchased_at < ? AND ${VISIT} GROUP BY ${byStore ? 'p.store_code, ' : ''}p.member_id`;
  const counts =
    'SUM(CASE WHEN v.n_active > 0 THEN 1 ELSE 0 END) AS active_members,' +
    ' SUM(CASE WHEN v.n_window > 0 THEN 1 ELSE 0 END) AS buyers_window,' +
    ' SUM(CASE WHEN v.n_window >= 2 THEN 1 ELSE 0 END) AS repeat_buyers_window';
  const windowParams = [d.activeSince, d.repurchaseSince, d.windowSince, d.end];
  statements.push({
    sql: `${INSERT_DAY} SELECT s.store_code, ?, x.metric, COALESCE(${pick(windows, 's')}, 0)
      FROM (SELECT v.store_code AS store_code, ${counts} FROM (${visitsPer(true)}) v GROUP BY v.store_code) s
      CROSS JOIN (${metricNames(windows)}) x`,
    params: [d.day, ...windowParams],
  });
  statements.push({
    sql: `${INSERT_DAY} SELECT '', ?, x.metric, COALESCE(${pick(windows, 's')}, 0)
      FROM (SELECT ${counts} FROM (${visitsPer(false)}) v) s CROSS JOIN (${metricNames(windows)}) x`,
    params: [d.day, ...windowParams],
  });

  // Points of the day by what moved them; every ledger reason falls in exactly one of the four, so
  // issued − spent − expired − clawed back over all days = Σ delta = outstanding.
  const spent = SPENT_REASONS.map((r) => `'${r}'`).join(', ');
  const isClawback = "(reason = 'clawback' OR (reason = 'adjust' AND delta < 0))";
  // One pass over the ledger up to the day's end: the day's lines by class, and every line for the outstanding.
  const points = ['points_issued', 'points_spent', 'points_expired', 'points_clawed_back', 'points_outstanding'] as const;
  const ofDay = (condition: string, value: string) => `SUM(CASE WHEN created_at >= ? AND ${condition} THEN ${value} ELSE 0 END)`;
  statements.push({
    sql: `${INSERT_DAY} SELECT '', ?, x.metric, COALESCE(${pick(points, 's')}, 0)
      FROM (SELECT
        ${ofDay(`NOT (reason IN (${spent}) OR reason = 'expire' OR ${isClawback})`, 'delta')} AS points_issued,
        ${ofDay(`reason IN (${spent})`, '-delta')} AS points_spent,
        ${ofDay("reason = 'expire'", '-delta')} AS points_expired,
        ${ofDay(isClawback, '-delta')} AS points_clawed_back,
        SUM(delta) AS points_outstanding
        FROM points_ledger WHERE created_at < ?) s CROSS JOIN (${metricNames(points)}) x`,
    params: [d.day, d.start, d.start, d.start, d.start, d.end],
  });

  // Coupons: issued (claimed) that day; redeemed that day and not reversed since; expired: validity ended that
  // day (before now, for today) without a redemption.
  chain('coupons_issued', 'SELECT COUNT(*) FROM coupon WHERE claimed_at >= ? AND claimed_at < ?', [d.start, d.end]);
  chain('coupons_expired', "SELECT COUNT(*) FROM coupon WHERE valid_until >= ? AND valid_until < ? AND status <> 'redeemed'", [
    d.start,
    d.expiredBefore,
  ]);
  const redeemed = ['coupons_redeemed', 'coupon_discount_fen'] as const;
  const redemptions = `SELECT COUNT(*) AS coupons_redeemed, SUM(r.discount_fen) AS coupon_discount_fen FROM coupon_redemption r
      WHERE r.redeemed_at >= ? AND r.redeemed_at < ? AND r.status = 'redeemed'`;
  // Per store through the store table, as the day's sales (app orders have no store: chain only).
  const redemptionsByStore = redemptions
    .replace('SELECT ', 'SELECT st.code AS store_code, ')
    .replace('FROM coupon_redemption r', 'FROM store st JOIN coupon_redemption r ON r.store_code = st.code');
  statements.push({
    sql: `${INSERT_DAY} SELECT s.store_code, ?, x.metric, COALESCE(${pick(redeemed, 's')}, 0)
      FROM (${redemptionsByStore} GROUP BY st.code) s
      CROSS JOIN (${metricNames(redeemed)}) x`,
    params: [d.day, d.start, d.end],
  });
  statements.push({
    sql: `${INSERT_DAY} SELECT '', ?, x.metric, COALESCE(${pick(redeemed, 's')}, 0) FROM (${redemptions}) s CROSS
      JOIN (${metricNames(redeemed)}) x`,
    params: [d.day, d.start, d.end],
  });

  // Messages: outbox rows created that day that reached WeChat (sent, failed, or taken and never answered).
  const messages = ['messages_sent', 'messages_attempted'] as const;
  statements.push({
    sql: `${INSERT_DAY} SELECT '', ?, x.metric, COALESCE(${pick(messages, 's')}, 0)
      FROM (SELECT SUM(CASE WHEN status = 'sent' THEN 1 ELSE 0 END) AS messages_sent,
                   SUM(CASE WHEN status IN ('sent', 'failed', 'sending') THEN 1 ELSE 0 END) AS messages_attempted
              FROM message_outbox WHERE created_at >= ? AND created_at < ?) s CROSS JOIN (${metricNames(messages)}) x`,
    params: [d.day, d.start, d.end],
  });
  // Reach: campaign runs with a message that started that day; targeted = treated members, reachable = those
  // a message was queued for (switch on, an accept left, not capped when the run admitted them).
  const reach = ['message_targeted', 'message_reachable'] as const;
  statements.push({
    sql: `${INSERT_DAY} SELECT '', ?, x.metric, COALESCE(${pick(reach, 's')}, 0)
      FROM (SELECT SUM(r.targeted - r.held_out) AS message_targeted, SUM(r.messages_queued) AS message_reachable
              FROM campaign_run r JOIN campaign c ON c.id = r.campaign_id
             WHERE c.message_kind IS NOT NULL AND r.started_at >= ? AND r.started_at < ?) s CROSS JOIN (${metricNames(reach)}) x`,
    params: [d.day, d.start, d.end],
  });

  statements.push(...couponBreakdownStatements(dialect, d), messageBreakdownStatement(dialect, d));
  return statements;
}

/** Coupons issued / redeemed / expired that day, by template and by the campaign whose run issued them. */
export function couponBreakdownStatements(dialect: DialectSource, d: DayParams): Statement[] {
  const events =
    'SELECT c.template_id AS template_id, c.idempotency_key AS k, 1 AS issued, 0 AS redeemed, 0 AS expired, 0 AS discount' +
    ' FROM coupon c WHERE c.claimed_at >= ? AND c.claimed_at < ?' +
    ' UNION ALL SELECT c.template_id, c.idempotency_key, 0, 1, 0, r.discount_fen' +
    ` FROM coupon_redemption r JOIN coupon c ON c.id = r.coupon_id WHERE r.redeemed_at >= ? AND r.redeemed_at < ?
      AND r.status = 'redeemed'` +
    ' UNION ALL SELECT c.template_id, c.idempotency_key, 0, 0, 1, 0' +
    " FROM coupon c WHERE c.valid_until >= ? AND c.valid_until < ? AND c.status <> 'redeemed'";
  const eventParams = [d.start, d.end, d.start, d.end, d.start, d.expiredBefore];
  const sums = 'SUM(e.issued), SUM(e.redeemed), SUM(e.expired), SUM(e.discount)';
  const insert = 'INSERT INTO metric_coupon_day (day, dimension, ref_id, issued, redeemed, expired, discount_fen)';
  return [
    {
      sql: `${insert} SELECT ?, 'template', e.template_id, ${sums} FROM (${events}) e GROUP BY e.template_id`,
      params: [d.day, ...eventParams],
    },
    {
      sql: `${insert} SELECT ?, 'campaign', run.campaign_id, ${sums} FROM (${events}) e
        JOIN campaign_run run ON e.k = ${concat(dialect, "'campaign-run:'", 'run.id')} GROUP BY run.campaign_id`,
      params: [d.day, ...eventParams],
    },
  ];
}

/** Outbox rows created that day, by kind and outcome: queued, sending, sent, failed:<errcode>, skipped:<reason>. */
export function messageBreakdownStatement(dialect: DialectSource, d: DayParams): Statement {
  const outcome =
    `CASE WHEN o.status = 'failed' THEN ${concat(dialect, "'failed:'", "COALESCE(CAST(o.errcode AS CHAR), 'unknown')")}` +
    ` WHEN o.status = 'skipped' THEN ${concat(dialect, "'skipped:'", "COALESCE(o.skip_reason, 'unknown')")}` +
    ' ELSE o.status END';
  const cast = isMysql(dialect) ? outcome : outcome.replace('CAST(o.errcode AS CHAR)', 'CAST(o.errcode AS TEXT)');
  return {
    sql: `INSERT INTO metric_message_day (day, kind, outcome, messages)
      SELECT ?, e.kind, e.outcome, COUNT(*) FROM (SELECT o.kind AS kind, ${cast} AS outcome FROM message_outbox o
       WHERE o.created_at >= ? AND o.created_at < ?) e GROUP BY e.kind, e.outcome`,
    params: [d.day, d.start, d.end],
  };
}

/** The tables one day's snapshot rewrites (its rows deleted first, by day). */
export const DAY_TABLES = ['metric_day', 'metric_coupon_day', 'metric_message_day', 'metric_campaign_day'] as const;

export interface CampaignRunWindow {
  runId: number;
  campaignId: number;
  /** The run's start and the end of its revenue window, capped at the day's end. */
  from: unknown;
  to: unknown;
}

/**
 * One campaign run as of the day's end: members treated and held out, their revenue since the run started
 * (within the window), the discount its coupons gave when redeemed, and its points at ¥1 per `pointsPerYuan`.
 */
export function campaignRunStatement(dialect: DialectSource, day: string, run: CampaignRunWindow, pointsPerYuan: number): Statement {
  const revenue = (holdout: 0 | 1) =>
    `(SELECT COALESCE(SUM(p.paid_fen - p.refunded_fen), 0) FROM campaign_member cm
       JOIN purchase p ON p.member_id = cm.member_id AND p.purchased_at >= ? AND p.purchased_at < ?
      WHERE cm.run_id = ? AND cm.holdout = ${holdout})`;
  const members = (holdout: 0 | 1) => `(SELECT COUNT(*) FROM campaign_member cm WHERE cm.run_id = ? AND cm.holdout = ${holdout})`;
  const key = `campaign-run:${run.runId}`;
  if (!Number.isSafeInteger(pointsPerYuan) || pointsPerYuan < 1) throw new Error(`pointsPerYuan ${pointsPerYuan}`);
  return {
    sql: `INSERT INTO metric_campaign_day
        (day, run_id, campaign_id, treated, holdout, treated_revenue_fen, holdout_revenue_fen, discount_fen, points_cost_fen)
      SELECT ?, ?, ?, ${members(0)}, ${members(1)}, ${revenue(0)}, ${revenue(1)},
        (SELECT COALESCE(SUM(r.discount_fen), 0) FROM coupon c JOIN coupon_redemption r ON r.coupon_id = c.id AND r.status = 'redeemed'
          WHERE c.idempotency_key = ? AND r.redeemed_at < ?),
        ${intDiv(dialect, POINTS_OF_RUN, String(pointsPerYuan))}`,
    params: [
      day,
      run.runId,
      run.campaignId,
      run.runId,
      run.runId,
      run.from,
      run.to,
      run.runId,
      run.from,
      run.to,
      run.runId,
      key,
      run.to,
      `${key}:member:%`,
      run.to,
    ],
  };
}

const POINTS_OF_RUN = '(SELECT COALESCE(SUM(l.delta), 0) * 100 FROM points_ledger l WHERE l.source_key LIKE ? AND l.created_at < ?)';

/** Each member's current segment as the month's snapshot (rewritten by every snapshot taken in the month). */
export function segmentMonthStatements(month: string, previous: string): Statement[] {
  return [
    { sql: 'DELETE FROM member_segment_month WHERE month = ?', params: [month] },
    {
      sql:
        'INSERT INTO member_segment_month (month, member_id, segment)' +
        ' SELECT ?, member_id, segment FROM member_rfm WHERE segment IS NOT NULL',
      params: [month],
    },
    { sql: 'DELETE FROM metric_segment_migration WHERE month = ?', params: [month] },
    {
      sql: `INSERT INTO metric_segment_migration (month, from_segment, to_segment, members)
        SELECT ?, COALESCE(p.segment, 'none'), c.segment, COUNT(*) FROM member_segment_month c
          LEFT JOIN member_segment_month p ON p.month = ? AND p.member_id = c.member_id
         WHERE c.month = ? GROUP BY COALESCE(p.segment, 'none'), c.segment`,
      params: [month, previous, month],
    },
  ];
}

/**
 * Retention of every join-month cohort in `month`: the cohort's size (joined members now) and how many bought in
 * `month`. Cohorts are told apart by the instants their months start (`cohortStarts`, ascending, 'YYYY-MM' →
 * parameter), so the business time zone is applied once, in the caller.
 */
export function cohortStatements(
  dialect: DialectSource,
  month: string,
  monthStart: unknown,
  monthEnd: unknown,
  cohortStarts: Array<{ cohort: string; start: unknown }>,
): Statement[] {
  if (cohortStarts.length === 0) return [{ sql: 'DELETE FROM metric_cohort WHERE month = ?', params: [month] }];
  const branches = cohortStarts
    .slice(1)
    .map(() => 'WHEN m.joined_at < ? THEN ?')
    .join(' ');
  const caseParams = cohortStarts.slice(1).flatMap((c, i) => [c.start, cohortStarts[i].cohort]);
  const last = cohortStarts[cohortStarts.length - 1].cohort;
  return [
    { sql: 'DELETE FROM metric_cohort WHERE month = ?', params: [month] },
    {
      sql: `INSERT INTO metric_cohort (cohort, month, members, retained)
        SELECT c.cohort, ?, COUNT(*), SUM(c.bought) FROM (
          SELECT ${branches ? `CASE ${branches} ELSE ? END` : '?'} AS cohort, CASE WHEN b.member_id IS NULL THEN 0 ELSE 1 END AS bought
            FROM member m
            LEFT JOIN (SELECT DISTINCT p.member_id AS member_id FROM purchase p${fullScan(dialect)}
                        WHERE p.purchased_at >= ? AND p.purchased_at < ? AND ${VISIT}) b ON b.member_id = m.id
           WHERE m.joined_at >= ? AND m.joined_at < ?) c
         GROUP BY c.cohort`,
      params: [month, ...caseParams, last, monthStart, monthEnd, cohortStarts[0].start, monthEnd],
    },
  ];
}
