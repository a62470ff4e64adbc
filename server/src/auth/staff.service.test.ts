import { TransactionRunner } from '../database/transaction-runner';
import { createTestDatabase, TEST_DATABASES, type TestDatabase } from '../testing/databases';
import { StaffService } from './staff.service';

describe.each(TEST_DATABASES)('staff bindings on %s', (kind) => {
  let db: TestDatabase;
  let staff: StaffService;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
    staff = new StaffService(db.dataSource, new TransactionRunner(db.dataSource));
  });
  afterAll(() => db?.drop());

  it('applies the config list, updates roles, and drops config entries that left the list', async () => {
    await staff.syncFromConfig([
      { openid: 'o-a', role: 'admin', name: '店长' },
      { openid: 'o-b', role: 'clerk', name: null },
    ]);
    expect(await staff.roleOf('o-a')).toBe('admin');
    expect(await staff.roleOf('o-b')).toBe('clerk');

    await staff.bind('o-cli', 'clerk', '小李');
    await staff.syncFromConfig([{ openid: 'o-b', role: 'admin', name: null }]);
    expect(await staff.roleOf('o-a')).toBeNull();
    expect(await staff.roleOf('o-b')).toBe('admin');
    // A binding made from the CLI is not the config's to remove.
    expect(await staff.roleOf('o-cli')).toBe('clerk');
    expect((await staff.list()).map((s) => [s.openid, s.role, s.source])).toEqual([
      ['o-b', 'admin', 'config'],
      ['o-cli', 'clerk', 'cli'],
    ]);
  });

  it('unbinds at once and says whether there was anything to unbind', async () => {
    await staff.bind('o-gone', 'clerk', null);
    expect(await staff.unbind('o-gone')).toBe(true);
    expect(await staff.roleOf('o-gone')).toBeNull();
    expect(await staff.unbind('o-gone')).toBe(false);
  });
});
