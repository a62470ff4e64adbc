import { StoreStatus } from '@member/shared';
import { AuditService } from '../audit/audit.service';
import { ManualClock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { TransactionRunner } from '../database/transaction-runner';
import { createTestDatabase, TEST_DATABASES, type TestDatabase } from '../testing/databases';
import { testConfig } from '../testing/test-app';
import { issueMemberCode } from '../members/member-code';
import { DbThrottlerStorage } from '../throttle/db-throttler.storage';
import { MemberAccessService } from './member-access.service';
import { MemberCodeGate } from './member-code-gate';
import { StaffService, type StaffAccount } from './staff.service';
import { StoresService } from './stores.service';

const codeOf = async (work: () => Promise<unknown>) => {
  try {
    await work();
    return 'no error';
  } catch (error) {
    return error instanceof DomainError ? error.code : error;
  }
};

const STORES = [
  { code: 'S001', name: '一号店' },
  { code: 'S002', name: '二号店' },
];

describe.each(TEST_DATABASES)('staff accounts, stores, member access and member-code lockout on %s', (kind) => {
  let db: TestDatabase;
  let staff: StaffService;
  let stores: StoresService;
  const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
  const config = testConfig();
  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const transactions = new TransactionRunner(db.dataSource);
    staff = new StaffService(db.dataSource, transactions);
    stores = new StoresService(db.dataSource, transactions);
    await stores.syncFromConfig(STORES);
  });
  afterAll(() => db?.drop());

  const account = async (openid: string) => (await staff.accountOf(openid))!;

  it('applies the config list with roles and stores, updates them, and drops config entries that left the list', async () => {
    await staff.syncFromConfig([
      { openid: 'o-a', role: 'admin', name: '总部', stores: [] },
      { openid: 'o-b', role: 'clerk', name: null, stores: ['S001'] },
    ]);
    expect(await staff.roleOf('o-a')).toBe('admin');
    expect(await account('o-b')).toMatchObject({ role: 'clerk', stores: ['S001'] });

    await staff.bind('o-cli', 'store_manager', '小李', ['S002']);
    await staff.syncFromConfig([{ openid: 'o-b', role: 'clerk', name: null, stores: ['S002', 'S001'] }]);
    expect(await staff.roleOf('o-a')).toBeNull();
    expect((await account('o-b')).stores).toEqual(['S001', 'S002']);
    // A binding made from the CLI is not the config's to remove.
    expect(await account('o-cli')).toMatchObject({ role: 'store_manager', stores: ['S002'] });
    expect((await staff.list()).map((s) => [s.openid, s.role, s.source, s.stores])).toEqual([
      ['o-b', 'clerk', 'config', ['S001', 'S002']],
      ['o-cli', 'store_manager', 'cli', ['S002']],
    ]);
  });

  it('binds from the CLI only to stores the store table has, spelled as it spells them', async () => {
    const refusal = await staff.bind('o-typo', 'clerk', null, ['S001', 's002', 'S404']).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({ code: 'STORE_UNKNOWN', context: { unknown: ['s002', 'S404'] } });
    expect(await staff.roleOf('o-typo')).toBeNull();
  });

  it('unbinds at once and says whether there was anything to unbind', async () => {
    await staff.bind('o-gone', 'clerk', null, ['S001']);
    expect(await staff.unbind('o-gone')).toBe(true);
    expect(await staff.roleOf('o-gone')).toBeNull();
    expect(await staff.unbind('o-gone')).toBe(false);
  });

  it("seeds stores from config, keeps a closed store closed, and takes a sale's store from the account", async () => {
    await stores.syncFromConfig([{ code: 'S001', name: '一号旗舰店' }, ...STORES.slice(1), { code: 'S003', name: '三号店' }]);
    await db.dataSource.query("UPDATE store SET status = 'closed' WHERE code = 'S003'");
    await stores.syncFromConfig([...STORES, { code: 'S003', name: '三号店' }]);
    expect((await stores.active()).map((s) => s.code)).toEqual(['S001', 'S002']);

    await staff.bind('o-till', 'clerk', null, ['S001']);
    await staff.bind('o-two', 'clerk', null, ['S001', 'S002']);
    await staff.bind('o-hq', 'admin', null, []);
    const till = await account('o-till');
    const two = await account('o-two');
    const hq = await account('o-hq');
    expect(await stores.storeFor(till, undefined)).toBe('S001');
    expect(await stores.storeFor(till, 'S001')).toBe('S001');
    expect(await codeOf(() => stores.storeFor(till, 'S002'))).toBe('STORE_NOT_YOURS');
    expect(await codeOf(() => stores.storeFor(till, 'S999'))).toBe('STORE_UNKNOWN');
    expect(await codeOf(() => stores.storeFor(till, '门店 1'))).toBe('STORE_UNKNOWN');
    expect(await codeOf(() => stores.storeFor(hq, 'S003'))).toBe('STORE_UNKNOWN');
    expect(await codeOf(() => stores.storeFor(two, undefined))).toBe('STORE_REQUIRED');
    expect(await codeOf(() => stores.storeFor(hq, undefined))).toBe('STORE_REQUIRED');
    expect(await stores.storeFor(two, 'S002')).toBe('S002');
    expect(await stores.storeFor(hq, 'S002')).toBe('S002');
    expect(stores.visibleStores(till)).toEqual(['S001']);
    expect(stores.visibleStores(hq)).toBeNull();
    // Codes are exact: MySQL's collation found S001 for `s001` and an admin's sale was written as `s001`.
    expect(await codeOf(() => stores.storeFor(hq, 's001'))).toBe('STORE_UNKNOWN');
    expect(await codeOf(() => stores.storeFor(till, 'S001 '))).toBe('STORE_UNKNOWN');
    expect(await stores.setStatus('s002', StoreStatus.Closed)).toBeNull();
    expect((await stores.active()).map((s) => s.code)).toEqual(['S001', 'S002']);
  });

  it('lets a clerk read a member only for a while after verifying their code; an admin always', async () => {
    const access = new MemberAccessService(config, db.dataSource, clock);
    await staff.bind('o-read', 'clerk', null, ['S001']);
    const clerk = await account('o-read');
    expect(await codeOf(() => access.assertMayRead(clerk, 42))).toBe('MEMBER_ACCESS_REQUIRED');
    await access.grant(clerk, 42);
    await access.grant(clerk, 42); // a second scan moves the grant forward
    expect(await codeOf(() => access.assertMayRead(clerk, 42))).toBe('no error');
    expect(await codeOf(() => access.assertMayRead(clerk, 43))).toBe('MEMBER_ACCESS_REQUIRED');
    clock.advance(config.staffAccess.memberGrantSeconds);
    expect(await codeOf(() => access.assertMayRead(clerk, 42))).toBe('MEMBER_ACCESS_REQUIRED');
    const hq = await account('o-hq');
    expect(await codeOf(() => access.assertMayRead(hq, 42))).toBe('no error');
  });

  it('locks member-code guessing per staff account and per member, across accounts, and audits the lock', async () => {
    const counters = new DbThrottlerStorage(db.dataSource, new TransactionRunner(db.dataSource), clock);
    const audit = new AuditService(db.dataSource, clock);
    const gate = new MemberCodeGate(config, counters, new MemberAccessService(config, db.dataSource, clock), audit, clock);
    const { perStaff, perMember } = config.staffAccess.memberCodeFailures;
    const wrong = async () => {
      throw new DomainError('MEMBER_CODE_INVALID');
    };
    // "66" + counter + member id 7 + 8 MAC digits: what a guesser sends.
    const guess = (memberId: number, n: number) => `66123${memberId}${String(n).padStart(8, '0')}`;
    const clerks: StaffAccount[] = [];
    for (let i = 0; i < 4; i++) {
      await staff.bind(`o-guess-${i}`, 'clerk', null, ['S001']);
      clerks.push(await account(`o-guess-${i}`));
    }
    for (let n = 0; n < perStaff.limit; n++)
      expect(await codeOf(() => gate.check(clerks[0], guess(7, n), wrong, () => 7))).toBe('MEMBER_CODE_INVALID');
    // One more wrong code locks the account, for any member, even with the genuine code.
    expect(await codeOf(() => gate.check(clerks[0], guess(7, 99), wrong, () => 7))).toBe('MEMBER_CODE_INVALID');
    expect(
      await codeOf(() =>
        gate.check(
          clerks[0],
          guess(8, 1),
          async () => 'genuine',
          () => 8,
        ),
      ),
    ).toBe('MEMBER_CODE_LOCKED');
    // Other accounts guessing the same member: the member locks once the member's limit is passed.
    let tries = perStaff.limit + 1;
    for (let i = 1; tries <= perMember.limit; i = (i % 3) + 1, tries++)
      await gate.check(clerks[i], guess(7, tries), wrong, () => 7).catch(() => undefined);
    expect(
      await codeOf(() =>
        gate.check(
          clerks[3],
          guess(7, 500),
          async () => 'genuine',
          () => 7,
        ),
      ),
    ).toBe('MEMBER_CODE_LOCKED');
    expect(
      await codeOf(() =>
        gate.check(
          clerks[3],
          guess(9, 1),
          async () => 'genuine',
          () => 9,
        ),
      ),
    ).toBe('no error');
    const locks = await audit.page({ limit: 10, action: 'member_code.locked' });
    expect(locks.entries.map((e) => [e.staffOpenid, e.target, e.memberId, e.outcome])).toEqual([
      [expect.stringMatching(/^o-guess-[123]$/), 'member', 7, 'MEMBER_CODE_LOCKED'],
      ['o-guess-0', 'staff', 7, 'MEMBER_CODE_LOCKED'],
    ]);
    // The locks end.
    clock.advance(Math.max(perStaff.lockSeconds, perMember.lockSeconds));
    expect(
      await codeOf(() =>
        gate.check(
          clerks[0],
          guess(7, 1),
          async () => 'genuine',
          () => 7,
        ),
      ),
    ).toBe('no error');
  });

  it('grants access only for a code that is the member’s now, whatever the checked action answered', async () => {
    const counters = new DbThrottlerStorage(db.dataSource, new TransactionRunner(db.dataSource), clock);
    const access = new MemberAccessService(config, db.dataSource, clock);
    const gate = new MemberCodeGate(config, counters, access, new AuditService(db.dataSource, clock), clock);
    await staff.bind('o-replay', 'clerk', null, ['S001']);
    const clerk = await account('o-replay');
    // A resent sale answers the first one (member 51) whatever code it carries: a made-up one grants nothing.
    await gate.check(
      clerk,
      '6612345100000000',
      async () => 'the first sale',
      () => 51,
    );
    expect(await codeOf(() => access.assertMayRead(clerk, 51))).toBe('MEMBER_ACCESS_REQUIRED');
    // Nor does member 52's genuine code, answered as member 51's.
    const settings = { secret: config.security.memberCodeSecret, ...config.memberCode };
    await gate.check(
      clerk,
      issueMemberCode(settings, 52, clock.now()).code,
      async () => 'the first sale',
      () => 51,
    );
    expect(await codeOf(() => access.assertMayRead(clerk, 51))).toBe('MEMBER_ACCESS_REQUIRED');
    // The member's own code, now: access for a while.
    await gate.check(
      clerk,
      issueMemberCode(settings, 51, clock.now()).code,
      async () => 'served',
      () => 51,
    );
    expect(await codeOf(() => access.assertMayRead(clerk, 51))).toBe('no error');
  });

  it('keeps the audit log append-only and pages it newest first', async () => {
    const audit = new AuditService(db.dataSource, clock);
    const clerk = await account('o-till');
    for (let i = 1; i <= 5; i++)
      await audit.record(clerk, {
        action: 'purchase.record',
        outcome: 'ok',
        storeCode: 'S001',
        memberId: i,
        amountFen: 3_000_000_000 * i,
        points: 2 ** 40,
      });
    const first = await audit.page({ limit: 3, action: 'purchase.record' });
    expect(first.entries.map((e) => e.memberId)).toEqual([5, 4, 3]);
    expect(first.entries[0]).toMatchObject({
      staffOpenid: 'o-till',
      role: 'clerk',
      storeCode: 'S001',
      amountFen: 15_000_000_000,
      points: 2 ** 40,
    });
    const second = await audit.page({ limit: 3, action: 'purchase.record', before: first.nextBefore! });
    expect(second.entries.map((e) => e.memberId)).toEqual([2, 1]);
    expect(second.nextBefore).toBeNull();
    expect(Object.getOwnPropertyNames(AuditService.prototype).sort()).toEqual(['constructor', 'page', 'record', 'recordMemberAction']);
  });

  it('audits a refused request with what its columns can hold: a member id past INT, a store code of 40 characters', async () => {
    // Audit rows are written for refused requests too, with what the request said: on MySQL such a value failed
    // the insert (a wrong member code claiming a 15-digit member id answered 500 instead of MEMBER_CODE_INVALID).
    const audit = new AuditService(db.dataSource, clock);
    const clerk = await account('o-till');
    await audit.record(clerk, {
      action: 'member_code.locked',
      outcome: 'MEMBER_CODE_LOCKED',
      memberId: 123_456_789_012_345,
      storeCode: 'S'.repeat(40),
    });
    await audit.record(clerk, { action: 'member_code.locked', outcome: 'MEMBER_CODE_LOCKED', memberId: 2_147_483_647 });
    const { entries } = await audit.page({ limit: 2, action: 'member_code.locked' });
    expect(entries.map((e) => [e.memberId, e.storeCode])).toEqual([
      [2_147_483_647, null],
      [null, 'S'.repeat(32)],
    ]);
  });
});
