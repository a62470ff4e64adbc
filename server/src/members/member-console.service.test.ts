import { Member } from './member.entity';
import { AuditService } from '../audit/audit.service';
import type { StaffAccount } from '../auth/staff.service';
import { TemplatesService } from '../coupons/templates.service';
import { templateRequest } from '../testing/coupon-fixtures';
import { TEST_DATABASES } from '../testing/databases';
import { expectInvariants } from '../testing/invariants';
import { codeOf } from '../testing/spec';
import { tillSpec } from '../testing/till-spec';
import type { TestApp } from '../testing/test-app';
import { backfillPhoneLast4 } from '../database/migrations/17639000000900-MemberSearch';
import { TransactionRunner } from '../database/transaction-runner';
import { FeedbackService } from '../feedback/feedback.service';
import { MessagesService } from '../messages/messages.service';
import { AccountDeletionService } from './account-deletion.service';
import { MemberConsoleService } from './member-console.service';
import { MemberSearchService } from './member-search.service';
import { PhoneVault } from './phone-vault';

const clerk: StaffAccount = { id: 9101, openid: 'o-mc-clerk', role: 'clerk', name: null, stores: ['S001'] };
const manager1: StaffAccount = { id: 9102, openid: 'o-mc-manager-1', role: 'store_manager', name: null, stores: ['S001'] };
const manager2: StaffAccount = { id: 9103, openid: 'o-mc-manager-2', role: 'store_manager', name: null, stores: ['S002'] };
const admin: StaffAccount = { id: 9104, openid: 'o-mc-admin', role: 'admin', name: null, stores: [] };

describe.each(TEST_DATABASES)('console member search and detail on %s', (kind) => {
  const spec = tillSpec(kind, 'member-console', 80);
  let t: TestApp;
  let search: MemberSearchService;
  let members: MemberConsoleService;
  let vault: PhoneVault;
  const failure = (promise: Promise<unknown>) => promise.then(() => 'no error', codeOf);
  let phoneSeq = 0;
  /** A fresh mainland number ending in `last4` (unique in the suite). */
  const newPhone = (last4 = String(1000 + (phoneSeq % 9000))) => `139${String(++phoneSeq).padStart(4, '0')}${last4}`;

  /** Binds a phone (sealed, hashed, masked, last four: what joining writes) and a nickname. */
  async function profile(memberId: number, fields: { phone?: string; nickname?: string }): Promise<void> {
    const { phone, nickname } = fields;
    if (phone) {
      const normalized = PhoneVault.normalize('86', phone);
      await t.db.dataSource.query('UPDATE member SET phone_cipher = ?, phone_hash = ?, phone_masked = ?, phone_last4 = ? WHERE id = ?', [
        vault.seal(normalized),
        vault.lookupHash(normalized),
        PhoneVault.mask(phone),
        PhoneVault.last4(phone),
        memberId,
      ]);
    }
    if (nickname !== undefined) await t.db.dataSource.query('UPDATE member SET nickname = ? WHERE id = ?', [nickname, memberId]);
  }
  const ids = (response: { rows: Array<{ id: number }> }) => response.rows.map((r) => r.id);

  beforeAll(async () => {
    ({ t } = await spec.start());
    search = t.app.get(MemberSearchService);
    members = t.app.get(MemberConsoleService);
    vault = new PhoneVault(t.config.security.phoneEncryptionKey);
  });
  beforeEach(() => t.clock.set('2026-12-01T02:00:00Z'));
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));

  it('finds a member by full phone (by its hash), by member number, and a deleted (注销) member never by phone', async () => {
    const me = spec.member();
    const gone = spec.member();
    const phone = newPhone();
    const gonePhone = newPhone('7777');
    await profile(me, { phone, nickname: '查询甲' });
    await profile(gone, { phone: gonePhone, nickname: '注销乙' });
    expect(await search.search(admin, { q: phone })).toMatchObject({
      mode: 'phone',
      rows: [{ id: me, phoneMasked: PhoneVault.mask(phone) }],
    });
    expect(ids(await search.search(admin, { q: String(me) }))).toEqual([me]);
    expect((await search.search(admin, { q: String(me) })).mode).toBe('memberNo');

    expect(ids(await search.search(admin, { q: gonePhone }))).toEqual([gone]);
    await t.app.get(AccountDeletionService).deleteAccount(gone);
    expect(ids(await search.search(admin, { q: gonePhone }))).toEqual([]);
    expect(ids(await search.search(admin, { q: '7777' }))).not.toContain(gone);
    expect(ids(await search.search(admin, { q: '注销乙' }))).toEqual([]);
    // By member number HQ still finds the row (its ledgers point at it), shown as deleted, with no actions.
    expect((await search.search(admin, { q: String(gone) })).rows).toMatchObject([
      { id: gone, accountStatus: 'deleted', phoneMasked: null },
    ]);
    expect(await members.profile(admin, gone)).toMatchObject({ accountStatus: 'deleted', actions: [] });
    expect(await failure(members.adjustPoints(admin, gone, { points: 10, reason: '补偿', idempotencyKey: spec.key() }))).toBe(
      'MEMBER_NOT_JOINED',
    );
  });

  it('by last four digits: newest first, a page at a time with a cursor that continues without repeats', async () => {
    const size = t.config.memberConsole.pageSize;
    const mine = Array.from({ length: size + 3 }, () => spec.member());
    for (const id of mine) await profile(id, { phone: newPhone('4321') });
    const first = await search.search(admin, { q: '4321' });
    expect(first.mode).toBe('last4');
    expect(ids(first)).toEqual([...mine].reverse().slice(0, size));
    expect(first.nextCursor).not.toBeNull();
    const second = await search.search(admin, { q: '4321', cursor: first.nextCursor! });
    expect(ids(second)).toEqual([...mine].reverse().slice(size));
    expect(second.nextCursor).toBeNull();
    // A cursor belongs to its search: replayed on another one it is refused.
    expect(await failure(search.search(admin, { q: '4322', cursor: first.nextCursor! }))).toBe('VALIDATION_FAILED');
  });

  it('by nickname: prefix (case-insensitive) or contains, with % and _ taken literally', async () => {
    const [pct, digits, under, x, annA, annB] = Array.from({ length: 6 }, () => spec.member());
    await profile(pct, { nickname: '100%纯牛奶' });
    await profile(digits, { nickname: '1000纯牛奶' });
    await profile(under, { nickname: 'zq_b会员' });
    await profile(x, { nickname: 'zqxb会员' });
    await profile(annA, { nickname: 'Annabel林' });
    await profile(annB, { nickname: 'annie林' });

    expect(ids(await search.search(admin, { q: '100%' }))).toEqual([pct]);
    expect(ids(await search.search(admin, { q: '100%', match: 'contains' }))).toEqual([pct]);
    expect(ids(await search.search(admin, { q: 'zq_b' }))).toEqual([under]);
    expect(ids(await search.search(admin, { q: '_b会', match: 'contains' }))).toEqual([under]);
    expect(ids(await search.search(admin, { q: '%', match: 'contains' }))).toEqual([pct]);
    // Prefix in nickname order, whatever the case typed.
    expect(ids(await search.search(admin, { q: 'ANN' }))).toEqual([annA, annB]);
    expect(ids(await search.search(admin, { q: 'nnie', match: 'contains' }))).toEqual([annB]);
    expect(ids(await search.search(admin, { q: 'nnie' }))).toEqual([]);
    // A number typed as a nickname when asked for: otherwise digits mean a member number.
    expect(ids(await search.search(admin, { q: '1000', mode: 'nickname' }))).toEqual([digits]);
    expect(await failure(search.search(admin, { q: '123456789012' }))).toBe('VALIDATION_FAILED');
    expect(await failure(search.search(admin, { q: 'abc', mode: 'phone' }))).toBe('VALIDATION_FAILED');
  });

  it('a contains search reads one bounded range of member ids a request, and 继续搜索 walks the rest', async () => {
    const [a, b, c] = Array.from({ length: 3 }, () => spec.member());
    for (const id of [a, b, c]) await profile(id, { nickname: `全扫描${id}` });
    const scan = t.config.memberConsole;
    const saved = scan.containsScanIds;
    scan.containsScanIds = 7;
    try {
      const found: number[] = [];
      let cursor: string | undefined;
      let requests = 0;
      let emptyButMore = 0;
      do {
        const page = await search.search(admin, { q: '扫描', match: 'contains', cursor });
        requests++;
        if (page.rows.length === 0 && page.nextCursor) emptyButMore++;
        found.push(...ids(page));
        cursor = page.nextCursor ?? undefined;
      } while (cursor && requests < 1000);
      expect(found).toEqual([c, b, a]);
      const [{ top }] = await t.db.dataSource.query('SELECT MAX(id) AS top FROM member');
      expect(requests).toBe(Math.ceil(Number(top) / 7));
      expect(emptyButMore).toBeGreaterThan(0);
    } finally {
      scan.containsScanIds = saved;
    }
  });

  it('nickname prefix pages in nickname order through its cursor', async () => {
    const size = t.config.memberConsole.pageSize;
    const mine = Array.from({ length: size + 2 }, () => spec.member());
    for (const [i, id] of mine.entries()) await profile(id, { nickname: `页测${String(mine.length - i).padStart(3, '0')}` });
    const inOrder = [...mine].reverse();
    const first = await search.search(admin, { q: '页测' });
    expect(ids(first)).toEqual(inOrder.slice(0, size));
    const second = await search.search(admin, { q: '页测', cursor: first.nextCursor! });
    expect(ids(second)).toEqual(inOrder.slice(size));
    expect(second.nextCursor).toBeNull();
  });

  it("a store manager finds and opens only their stores' members (a sale there); a clerk is refused everything", async () => {
    const ours = spec.member();
    const theirs = spec.member();
    const phoneOurs = newPhone('5150');
    const phoneTheirs = newPhone('5150');
    await profile(ours, { phone: phoneOurs, nickname: '范围甲' });
    await profile(theirs, { phone: phoneTheirs, nickname: '范围乙' });
    await spec.buy(ours, 3000, { storeCode: 'S001' });
    await spec.buy(theirs, 3000, { storeCode: 'S002' });

    expect(ids(await search.search(manager1, { q: '5150' }))).toEqual([ours]);
    expect(ids(await search.search(manager2, { q: '5150' }))).toEqual([theirs]);
    expect(ids(await search.search(manager1, { q: phoneTheirs }))).toEqual([]);
    expect(ids(await search.search(manager1, { q: String(theirs) }))).toEqual([]);
    expect(ids(await search.search(manager1, { q: '范围' }))).toEqual([ours]);
    // Nickname order: 乙 (U+4E59) before 甲 (U+7532).
    expect(ids(await search.search(admin, { q: '范围' }))).toEqual([theirs, ours]);
    expect(await members.profile(manager1, ours)).toMatchObject({ id: ours, stores: ['S001'], actions: ['give_coupon'] });
    expect(await failure(members.profile(manager1, theirs))).toBe('MEMBER_NOT_YOURS');
    expect(await failure(members.purchases(manager1, theirs))).toBe('MEMBER_NOT_YOURS');

    expect(await failure(search.search(clerk, { q: '5150' }))).toBe('FORBIDDEN');
    expect(await failure(members.profile(clerk, ours))).toBe('FORBIDDEN');
    expect(await failure(members.pointsHistory(clerk, ours, null))).toBe('FORBIDDEN');
  });

  it('the tabs read through their owners: purchases, points ledger, coupons, complaints, messages, audit', async () => {
    const me = spec.member();
    await profile(me, { phone: newPhone(), nickname: '详情甲' });
    const sale = await spec.buy(me, 12_345);
    const purchases = await members.purchases(admin, me);
    expect(purchases.orders).toHaveLength(1);
    expect(purchases.orders[0]).toMatchObject({ ref: `S${sale.id}` });
    const points = await members.pointsHistory(admin, me, null);
    expect(points.lines.length).toBeGreaterThan(0);
    expect(points.balance).toBe(await spec.balanceOf(me));
    expect((await members.coupons(admin, me, 'usable')).coupons).toEqual([]);
    expect((await members.complaints(admin, me)).cases).toEqual([]);
    const raised = await t.app
      .get(FeedbackService)
      .create(me, { kind: 'complaint', category: 'service', text: '排队太久', idempotencyKey: spec.key() });
    expect((await members.complaints(admin, me)).cases).toMatchObject([{ id: raised.id, status: 'open' }]);

    const messages = t.app.get(MessagesService);
    await t.app.get(TransactionRunner).run(async (em) => {
      await messages.queue(em, {
        memberId: me,
        kind: 'points_change',
        vars: { delta: 10, balance: 10, reason: '测试' },
        dedupeKey: spec.key(),
      });
      await messages.queue(em, {
        memberId: me,
        kind: 'service_reply',
        vars: { category: '服务', reply: '已处理', at: '2026-12-01 10:00' },
        dedupeKey: spec.key(),
      });
    });
    const all = await members.messages(admin, me, {});
    expect(all.messages.map((m) => m.kind)).toEqual(['service_reply', 'points_change']);
    expect(all.messages[0]).toMatchObject({ status: expect.any(String), errcode: null });
    expect((await members.messages(admin, me, { kind: 'points_change' })).messages.map((m) => m.kind)).toEqual(['points_change']);
    expect((await members.messages(admin, me, { before: all.messages[0].id })).messages.map((m) => m.kind)).toEqual(['points_change']);
    expect((await members.auditTrail(admin, me)).entries).toEqual([]);
  });

  it('the 操作记录 tab shows a store manager their stores’ entries only; HQ all of them', async () => {
    const me = spec.member();
    await spec.buy(me, 5000, { storeCode: 'S001' });
    const audit = t.app.get(AuditService);
    await audit.record(admin, { action: 'member.phone_reveal', outcome: 'ok', target: 'member', memberId: me, storeCode: null });
    await audit.record(manager1, { action: 'member.coupon_gift', outcome: 'ok', target: 'member', memberId: me, storeCode: 'S001' });
    await audit.record(manager2, { action: 'purchase.record', outcome: 'ok', target: 'purchase', memberId: me, storeCode: 'S002' });
    const actions = async (staff: StaffAccount) => (await members.auditTrail(staff, me)).entries.map((e) => e.action);
    expect(await actions(manager1)).toEqual(['member.coupon_gift']);
    expect(await actions(admin)).toEqual(['purchase.record', 'member.coupon_gift', 'member.phone_reveal']);
  });

  it('actions per role: HQ reveals the phone and adjusts points (once per key); a manager gives coupons within its limit', async () => {
    const me = spec.member();
    const phone = newPhone();
    await profile(me, { phone, nickname: '动作甲' });
    await spec.buy(me, 5000, { storeCode: 'S001' });

    expect(await members.revealPhone(admin, me)).toEqual({ memberId: me, phone });
    expect(await failure(members.revealPhone(manager1, me))).toBe('FORBIDDEN');

    const before = await spec.balanceOf(me);
    const key = spec.key();
    const adjusted = await members.adjustPoints(admin, me, { points: 300, reason: '活动补录', idempotencyKey: key });
    const again = await members.adjustPoints(admin, me, { points: 300, reason: '活动补录', idempotencyKey: key });
    expect(again).toEqual(adjusted);
    expect(await spec.balanceOf(me)).toBe(before + 300);
    expect(await failure(members.adjustPoints(manager1, me, { points: 300, reason: '活动补录', idempotencyKey: spec.key() }))).toBe(
      'FORBIDDEN',
    );

    const templates = t.app.get(TemplatesService);
    const small = await templates.create(
      templateRequest(t.clock.now(), {
        name: '会员关怀券10',
        terms: { ...templateRequest(t.clock.now()).terms, kind: 'no_threshold', valueFen: 1000, thresholdFen: 0 },
      }),
    );
    const big = await templates.create(
      templateRequest(t.clock.now(), {
        name: '会员关怀券100',
        terms: { ...templateRequest(t.clock.now()).terms, kind: 'no_threshold', valueFen: 10_000, thresholdFen: 0 },
      }),
    );
    const options = await members.couponOptions(manager1, me);
    expect(options.coupons.map((c) => c.templateId)).toContain(small.id);
    expect(options.coupons.map((c) => c.templateId)).not.toContain(big.id);
    expect(await failure(members.giveCoupon(manager1, me, { templateId: big.id, reason: '生日关怀', idempotencyKey: spec.key() }))).toBe(
      'GOODWILL_OVER_LIMIT',
    );
    const giftKey = spec.key();
    const gift = await members.giveCoupon(manager1, me, { templateId: small.id, reason: '生日关怀', idempotencyKey: giftKey });
    expect(gift).toMatchObject({ memberId: me, templateId: small.id, couponName: '会员关怀券10', faceFen: 1000 });
    expect(await members.giveCoupon(manager1, me, { templateId: small.id, reason: '生日关怀', idempotencyKey: giftKey })).toEqual(gift);
    expect(await failure(members.giveCoupon(manager1, me, { templateId: big.id, reason: '生日关怀', idempotencyKey: giftKey }))).toBe(
      'IDEMPOTENCY_KEY_REUSED',
    );
    // Nobody gives to their own member account (the same WeChat user): not a coupon, not points.
    const { openid } = await t.db.dataSource.getRepository(Member).findOneByOrFail({ id: me });
    const herself: StaffAccount = { id: 9199, openid, role: 'admin', name: null, stores: [] };
    expect(await failure(members.giveCoupon(herself, me, { templateId: small.id, reason: '自己', idempotencyKey: spec.key() }))).toBe(
      'GOODWILL_TO_SELF',
    );
    expect(await failure(members.adjustPoints(herself, me, { points: 100, reason: '自己', idempotencyKey: spec.key() }))).toBe(
      'GOODWILL_TO_SELF',
    );
    // Two at once with one key: one coupon.
    const raceKey = spec.key();
    const [a, b] = await Promise.all([
      members.giveCoupon(admin, me, { templateId: small.id, reason: '并发', idempotencyKey: raceKey }),
      members.giveCoupon(admin, me, { templateId: small.id, reason: '并发', idempotencyKey: raceKey }),
    ]);
    expect(a.couponId).toBe(b.couponId);
    const wallet = await members.coupons(admin, me, 'usable');
    expect(wallet.coupons.map((c) => c.id).sort()).toEqual([gift.couponId, a.couponId].sort());
    expect(wallet.coupons.every((c) => !('code' in c))).toBe(true);
    expect(await failure(members.giveCoupon(manager2, me, { templateId: small.id, reason: '越权', idempotencyKey: spec.key() }))).toBe(
      'MEMBER_NOT_YOURS',
    );
    expect(await failure(members.giveCoupon(clerk, me, { templateId: small.id, reason: '越权', idempotencyKey: spec.key() }))).toBe(
      'FORBIDDEN',
    );
  });
  it('the migration backfills the last four digits from the mask, for bound mainland numbers only', async () => {
    const [mainland, foreign, gone] = Array.from({ length: 3 }, () => spec.member());
    await profile(mainland, { phone: newPhone('2468') });
    await t.db.dataSource.query("UPDATE member SET phone_hash = 'h-foreign', phone_masked = '852****78' WHERE id = ?", [foreign]);
    await t.db.dataSource.query("UPDATE member SET phone_hash = NULL, phone_masked = '139****1357' WHERE id = ?", [gone]);
    // As before the migration: the column empty for these rows, then its backfill.
    await t.db.dataSource.query('UPDATE member SET phone_last4 = NULL WHERE id IN (?, ?, ?)', [mainland, foreign, gone]);
    const runner = t.db.dataSource.createQueryRunner();
    try {
      await backfillPhoneLast4(runner);
    } finally {
      await runner.release();
    }
    const rows: Array<{ id: number | string; last4: string | null }> = await t.db.dataSource.query(
      'SELECT id, phone_last4 AS last4 FROM member WHERE id IN (?, ?, ?) ORDER BY id',
      [mainland, foreign, gone],
    );
    expect(rows.map((r) => [Number(r.id), r.last4])).toEqual([
      [mainland, '2468'],
      [foreign, null],
      [gone, null],
    ]);
    expect(ids(await search.search(admin, { q: '2468' }))).toContain(mainland);
    await t.db.dataSource.query('UPDATE member SET phone_hash = NULL, phone_masked = NULL WHERE id IN (?, ?)', [foreign, gone]);
  });
});
