import type { AppConfig } from '@member/config';
import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { sqlDate, sqlDateValue } from '../database/dialect';
import { ordersRepository } from '../orders/orders.repository';
import type { ExportScope, ExportSource } from './export-registry';
import type { ExportCell } from './export-writer';

/**
 * The console's lists as exports (issue 18). Each reads its own table by primary key pages (`id > ? ORDER BY id
 * LIMIT ?`), the store scope and the period as plain conditions, so a page costs the same at row 1 and at row
 * 1,000,000. Reading other modules' tables is fine (only writes are theirs alone); nothing here writes.
 *
 * Members' phones are exported MASKED for every role: an export is a file that leaves the system (mailed,
 * copied to laptops), so it carries no full phone numbers (PIPL's minimum necessary); HQ looks a member's
 * number up in the console when it must, and that look-up is audited.
 */
export function listSources(config: AppConfig): ExportSource[] {
  const zone = config.businessCalendar.timeZone;
  const tierName = new Map<string, string>(config.tiers.map((tier) => [tier.code, tier.name]));
  const time = localTimeText(zone);
  return [
    keyset({
      name: 'members',
      title: '会员',
      roles: ['admin', 'store_manager'],
      header: ['会员ID', '手机号', '昵称', '等级', '生命周期', '积分余额', '生日', '入会时间', '最近消费', '外部编号'],
      select: `SELECT m.id, m.phone_masked, m.nickname, m.tier, m.lifecycle_status, m.points_balance, m.birthday, m.joined_at,
          m.last_purchase_at, m.external_id FROM member m`,
      key: 'm.id',
      conditions: (em, scope) => [
        cond("m.joined_at IS NOT NULL AND m.account_status = 'active'"),
        // A store manager's members: those who bought at one of their stores (the orders module's one definition,
        // as 会员查询 uses it).
        scope.stores && boughtAt(scope.stores),
        ...period(em, 'm.joined_at', scope),
      ],
      row: (r) => [
        num(r.id),
        str(r.phone_masked),
        str(r.nickname),
        tierName.get(String(r.tier)) ?? str(r.tier),
        str(r.lifecycle_status),
        num(r.points_balance),
        str(r.birthday),
        time(r.joined_at),
        time(r.last_purchase_at),
        str(r.external_id),
      ],
    }),
    keyset({
      name: 'purchases',
      title: '消费记录',
      roles: ['admin', 'store_manager'],
      header: [
        '消费ID',
        '时间',
        '门店',
        '会员ID',
        '原价(元)',
        '会员价优惠(元)',
        '优惠券抵扣(元)',
        '积分抵扣',
        '实付(元)',
        '获得积分',
        '已退款(元)',
      ],
      select: `SELECT p.id, p.purchased_at, p.store_code, p.member_id, p.gross_fen, p.member_discount_fen, p.coupon_discount_fen,
          p.points_burned, p.paid_fen, p.points_earned, p.refunded_fen FROM purchase p`,
      key: 'p.id',
      conditions: (em, scope) => [
        scope.stores && cond(`p.store_code IN (${marks(scope.stores)})`, ...scope.stores),
        ...period(em, 'p.purchased_at', scope),
      ],
      row: (r) => [
        num(r.id),
        time(r.purchased_at),
        str(r.store_code),
        num(r.member_id),
        yuan(r.gross_fen),
        yuan(r.member_discount_fen),
        yuan(r.coupon_discount_fen),
        num(r.points_burned),
        yuan(r.paid_fen),
        num(r.points_earned),
        yuan(r.refunded_fen),
      ],
    }),
    keyset({
      name: 'points-ledger',
      title: '积分流水',
      roles: ['admin', 'store_manager'],
      header: ['流水ID', '时间', '会员ID', '原因', '变动', '变动后余额', '到期时间', '消费ID'],
      select: `SELECT l.id, l.created_at, l.member_id, l.reason, l.delta, l.balance_after, l.expires_at, l.purchase_id
          FROM points_ledger l`,
      key: 'l.id',
      conditions: (em, scope) => [
        // A store's points lines are those of its sales (earned, burned, clawed back); the rest are HQ's.
        scope.stores &&
          cond(`l.purchase_id IN (SELECT p.id FROM purchase p WHERE p.store_code IN (${marks(scope.stores)}))`, ...scope.stores),
        ...period(em, 'l.created_at', scope),
      ],
      row: (r) => [
        num(r.id),
        time(r.created_at),
        num(r.member_id),
        str(r.reason),
        num(r.delta),
        num(r.balance_after),
        time(r.expires_at),
        num(r.purchase_id),
      ],
    }),
    keyset({
      name: 'coupons',
      title: '优惠券',
      roles: ['admin', 'store_manager'],
      header: ['券ID', '券模板', '会员ID', '状态', '领取时间', '有效期至', '核销时间', '核销门店'],
      select: `SELECT c.id, t.name AS template_name, c.member_id, c.status, c.claimed_at, c.valid_until, c.redeemed_at,
          (SELECT r.store_code FROM coupon_redemption r WHERE r.coupon_id = c.id ORDER BY r.id DESC LIMIT 1) AS store_code
          FROM coupon c JOIN coupon_template t ON t.id = c.template_id`,
      key: 'c.id',
      conditions: (em, scope) => [
        // A store's coupons are those redeemed at it.
        scope.stores &&
          cond(
            `EXISTS (SELECT 1 FROM coupon_redemption r WHERE r.coupon_id = c.id AND r.store_code IN (${marks(scope.stores)}))`,
            ...scope.stores,
          ),
        ...period(em, 'c.claimed_at', scope),
      ],
      row: (r) => [
        num(r.id),
        str(r.template_name),
        num(r.member_id),
        str(r.status),
        time(r.claimed_at),
        time(r.valid_until),
        time(r.redeemed_at),
        str(r.store_code),
      ],
    }),
    keyset({
      name: 'audit-log',
      title: '操作日志',
      roles: ['admin', 'store_manager'],
      header: ['日志ID', '时间', '员工ID', '角色', '门店', '操作', '结果', '对象', '会员ID', '金额(元)', '积分'],
      select: `SELECT a.id, a.at, a.staff_id, a.role, a.store_code, a.action, a.outcome, a.target, a.member_id, a.amount_fen, a.points
          FROM audit_log a`,
      key: 'a.id',
      conditions: (em, scope) => [
        scope.stores && cond(`a.store_code IN (${marks(scope.stores)})`, ...scope.stores),
        ...period(em, 'a.at', scope),
      ],
      row: (r) => [
        num(r.id),
        time(r.at),
        num(r.staff_id),
        str(r.role),
        str(r.store_code),
        str(r.action),
        str(r.outcome),
        str(r.target),
        num(r.member_id),
        r.amount_fen === null ? null : yuan(r.amount_fen),
        num(r.points),
      ],
    }),
  ];
}

type Row = Record<string, unknown>;
interface Condition {
  sql: string;
  params: unknown[];
}
const cond = (sql: string, ...params: unknown[]): Condition => ({ sql, params });
const marks = (values: readonly unknown[]) => values.map(() => '?').join(', ');
const boughtAt = (stores: readonly string[]): Condition => {
  const { sql, params } = ordersRepository.boughtAtSql('m', stores);
  return cond(sql, ...params);
};

function period(em: EntityManager, column: string, scope: ExportScope): Condition[] {
  return [
    ...(scope.from ? [cond(`${column} >= ?`, sqlDate(em, scope.from))] : []),
    ...(scope.until ? [cond(`${column} < ?`, sqlDate(em, scope.until))] : []),
  ];
}

/** A list read in primary-key pages. */
function keyset(spec: {
  name: string;
  title: string;
  roles: ExportSource['roles'];
  header: string[];
  select: string;
  key: string;
  conditions: (em: EntityManager, scope: ExportScope) => Array<Condition | null | false>;
  row: (row: Row) => ExportCell[];
}): ExportSource {
  const where = (em: EntityManager, scope: ExportScope, extra: Condition[] = []) => {
    const all = [...spec.conditions(em, scope).filter((c): c is Condition => !!c), ...extra];
    return { sql: all.length > 0 ? ` WHERE ${all.map((c) => `(${c.sql})`).join(' AND ')}` : '', params: all.flatMap((c) => c.params) };
  };
  const from = spec.select.slice(spec.select.search(/\sFROM\s(?![^(]*\))/i));
  return {
    name: spec.name,
    title: spec.title,
    roles: spec.roles,
    header: spec.header,
    async count(em, scope) {
      const w = where(em, scope);
      const [row]: Array<{ n: number | string }> = await em.query(`SELECT COUNT(*) AS n ${from}${w.sql}`, w.params);
      return Number(row.n);
    },
    async page(em, scope, afterKey, limit) {
      const w = where(em, scope, [cond(`${spec.key} > ?`, afterKey)]);
      const rows: Row[] = await em.query(`${spec.select}${w.sql} ORDER BY ${spec.key} LIMIT ${Number(limit)}`, w.params);
      return { rows: rows.map(spec.row), lastKey: rows.length > 0 ? Number(rows[rows.length - 1].id) : afterKey };
    },
  };
}

const str = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** Fen as yuan for a spreadsheet: computed on integers (no float arithmetic), written as a number so Excel sums it. */
export function yuan(value: unknown): number {
  const fen = Number(value);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return Number(`${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`);
}

/**
 * "YYYY-MM-DD HH:mm:ss" on the business calendar. The zone's offset is asked of luxon once per hour of the
 * calendar (cached): per cell it cost a third of a 1 M-row export.
 */
export function localTimeText(zone: string): (value: unknown) => string | null {
  const offsets = new Map<number, number>();
  return (value) => {
    if (value === null || value === undefined) return null;
    const at = sqlDateValue(value as Date | string);
    const ms = at.getTime();
    const hour = Math.floor(ms / 3_600_000);
    let offset = offsets.get(hour);
    if (offset === undefined) {
      offset = DateTime.fromMillis(ms, { zone }).offset;
      if (offsets.size > 100_000) offsets.clear();
      offsets.set(hour, offset);
    }
    return new Date(ms + offset * 60_000).toISOString().slice(0, 19).replace('T', ' ');
  };
}
