import { membersRepository } from '../members/members.repository';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { AuthService } from '../auth/auth.service';
import type { StaffAccount } from '../auth/staff.service';
import { DomainError } from '../common/domain-error';
import { Member } from '../members/member.entity';
import { MembersService } from '../members/members.service';
import { PhoneVault } from '../members/phone-vault';
import { PointsLedgerLine, PointsLot } from '../points/points.entities';
import { TEST_DATABASES } from '../testing/databases';
import { mintLoginCode, mintPhoneCode } from '../testing/emulator';
import { expectInvariants } from '../testing/invariants';
import { startTestApp, type TestApp } from '../testing/test-app';
import { ImportRow } from './data-transfer.entities';
import { MemberImportService } from './member-import.service';

const admin: StaffAccount = { id: 9101, openid: 'o-import-admin', role: 'admin', name: null, stores: [] };
const codeOf = (error: unknown) => (error instanceof DomainError ? error.code : error);

/** Chunks of 2 rows, so a file of a few rows is several transactions and a crash can fall between them. */
function smallChunks(): Record<string, string> {
  const file = join(mkdtempSync(join(tmpdir(), 'import-config-')), 'config.json');
  writeFileSync(file, JSON.stringify({ dataTransfer: { importChunkRows: 2, importLeaseSeconds: 30 } }));
  return { CONFIG_FILE: file };
}

const csv = (lines: string[]) => Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');

describe.each(TEST_DATABASES)('member import on %s', (kind) => {
  let t: TestApp;
  let imports: MemberImportService;
  let phoneSeq = 0;
  /** A fresh mainland mobile number per call, so tests on one database never collide. */
  const phone = () => `139${String(10_000_000 + ++phoneSeq * 7919).slice(-8)}`;
  const members = () => t.db.dataSource.getRepository(Member);
  const memberByPhone = (national: string) =>
    members().findOneBy({ phoneHash: t.app.get(PhoneVault).lookupHash(PhoneVault.normalize('86', national)) });

  beforeAll(async () => {
    t = await startTestApp(kind, smallChunks());
    t.clock.set('2026-06-01T02:00:00Z');
    imports = t.app.get(MemberImportService);
  });
  afterAll(() => t?.close());
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));

  it('dry run: judges every row (zh-CN reasons), imports nothing', async () => {
    const [a, b] = [phone(), phone()];
    const before = await members().count();
    const report = await imports.check(
      admin,
      'members.csv',
      csv([
        '手机号,姓名,生日,等级,积分,积分有效期,外部编号',
        `${a},张三,1990-05-17,银卡会员,1200,2027-03-31,OLD-1`,
        '12345,李四,,,,,',
        `${b},王五,1990-02-30,,,,`,
        `${phone()},赵六,,钻石王者,,,`,
        `${phone()},钱七,,,-5,,`,
        `${phone()},孙八,,,10,2026-05-01,`,
        `${a},张三重复,,,,,`,
        `${phone()},周九,,gold,abc,,OLD-1`,
        ',无手机,,,,,',
      ]),
    );
    expect(report.job).toMatchObject({ status: 'checked', rowsTotal: 9, rowsValid: 1, rowsInvalid: 8, rowsExisting: 0, cursorRow: 0 });
    const problems = Object.fromEntries(report.rows.map((row) => [row.rowNo, row.problems.map((p) => p.code)]));
    expect(problems).toEqual({
      3: ['PHONE_INVALID'],
      4: ['BIRTHDAY_INVALID'],
      5: ['TIER_UNKNOWN'],
      6: ['POINTS_NEGATIVE'],
      7: ['POINTS_EXPIRY_PAST'],
      8: ['DUPLICATE_PHONE_IN_FILE'],
      9: ['POINTS_INVALID', 'DUPLICATE_EXTERNAL_ID_IN_FILE'],
      10: ['PHONE_MISSING'],
    });
    expect(report.rows[0].problems[0].message).toBe('手机号格式不正确（应为 11 位中国大陆手机号）');
    const all = await imports.rows(report.job.id, { afterRow: 0, problemsOnly: false });
    expect(all.rows[0]).toMatchObject({
      rowNo: 2,
      status: 'valid',
      phoneMasked: `${a.slice(0, 3)}****${a.slice(-4)}`,
      tier: 'silver',
      tierName: '银卡会员',
      points: 1200,
      pointsExpiresOn: '2027-03-31',
    });
    // The phone is never kept in clear, not even in the report's rows.
    const stored = await t.db.dataSource.getRepository(ImportRow).findBy({ jobId: report.job.id });
    expect(JSON.stringify(stored)).not.toContain(a);
    expect(await members().count()).toBe(before);
  });

  it('imports: phone sealed and hashed like an app join, tier via membership, points via the ledger with the expiry given', async () => {
    const [a, b, c] = [phone(), phone(), phone()];
    const report = await imports.check(
      admin,
      'm.csv',
      csv([
        'phone,name,birthday,tier,points,points_expiry,external_id',
        `${a},张三,1990-05-17,silver,1200,2027-03-31,EXT-A`,
        `${b},,,,,,`,
        `${c},,,金卡会员,50,,`,
      ]),
    );
    const job = await imports.runToEnd(report.job.id);
    expect(job).toMatchObject({ status: 'done', rowsImported: 3, cursorRow: 4 });

    const m = (await memberByPhone(a))!;
    expect(m).toMatchObject({
      nickname: '张三',
      birthday: '1990-05-17',
      birthdayMonth: 5,
      birthdayDay: 17,
      tier: 'silver',
      pointsBalance: 1200,
      externalId: 'EXT-A',
    });
    expect(m.phoneMasked).toBe(`${a.slice(0, 3)}****${a.slice(-4)}`);
    expect(t.app.get(PhoneVault).open(m.phoneCipher!)).toBe(`+86 ${a}`);
    expect(m.joinedAt).not.toBeNull();
    const lines = await t.db.dataSource.getRepository(PointsLedgerLine).findBy({ memberId: m.id });
    expect(lines).toMatchObject([{ reason: 'import', delta: 1200, balanceAfter: 1200, sourceKey: `import:member:${m.id}` }]);
    const [lot] = await t.db.dataSource.getRepository(PointsLot).findBy({ memberId: m.id });
    // 2027-03-31 23:59:59 in Shanghai.
    expect(lot.expiresAt.toISOString()).toBe('2027-03-31T15:59:59.000Z');
    expect((await memberByPhone(b))!).toMatchObject({ tier: 'normal', pointsBalance: 0 });
    expect((await memberByPhone(c))!).toMatchObject({ tier: 'gold', pointsBalance: 50 });
    // No expiry given: the ledger's own rule for points credited now.
    const [defaultLot] = await t.db.dataSource.getRepository(PointsLot).findBy({ memberId: (await memberByPhone(c))!.id });
    expect(defaultLot.expiresAt).toEqual(t.app.get(MemberImportService)['ledger'].expiryFor(t.clock.now()));
  });

  it('external ids compare without case, as the member table does: a variant of a taken id or an earlier row’s is refused', async () => {
    // Before, the file's check compared them exactly and MySQL's unique index without case: on MariaDB the import
    // of `vip-case-1` failed on uq_member_external_id, chunk after chunk, while SQLite made two members.
    const [a, b, c, d, e] = [phone(), phone(), phone(), phone(), phone()];
    await imports.runToEnd((await imports.check(admin, 'first.csv', csv(['phone,external_id', `${a},VIP-Case-1`]))).job.id);
    const report = await imports.check(
      admin,
      'variants.csv',
      csv(['phone,external_id', `${b},vip-case-1`, `${c},Same-In-File`, `${d},SAME-IN-FILE`, `${e},Race-Id-1`]),
    );
    const problems = Object.fromEntries(report.rows.map((row) => [row.rowNo, row.problems.map((p) => p.code)]));
    expect(problems).toEqual({ 2: ['EXTERNAL_ID_TAKEN'], 4: ['DUPLICATE_EXTERNAL_ID_IN_FILE'] });
    // Between the dry run and the import, another file gives a member `race-id-1`: the import refuses row 5 then.
    await imports.runToEnd((await imports.check(admin, 'race.csv', csv(['phone,external_id', `${phone()},race-id-1`]))).job.id);
    const job = await imports.runToEnd(report.job.id);
    expect(job).toMatchObject({ status: 'done', rowsImported: 1 });
    expect((await memberByPhone(c))!.externalId).toBe('Same-In-File');
    for (const refused of [b, d, e]) expect(await memberByPhone(refused)).toBeNull();
    const rows = await imports.rows(report.job.id, { afterRow: 0, problemsOnly: true });
    expect(rows.rows.find((row) => row.rowNo === 5)?.problems.map((p) => p.code)).toEqual(['EXTERNAL_ID_TAKEN']);
  });

  it('a cell longer than the report keeps (a 100-character name, a 70-character id) refuses its row, not the file', async () => {
    // On MariaDB such a cell failed the whole dry run ("Data too long" for import_row), where SQLite kept it.
    const [a, b] = [phone(), phone()];
    const report = await imports.check(
      admin,
      'long.csv',
      csv(['phone,name,external_id', `${a},${'长'.repeat(100)},`, `${b},,${'X'.repeat(70)}`]),
    );
    expect(report.job).toMatchObject({ status: 'checked', rowsTotal: 2, rowsValid: 0, rowsInvalid: 2 });
    const [name, id] = report.rows;
    expect(name.problems.map((p) => p.code)).toEqual(['NAME_TOO_LONG']);
    expect(name.name).toBe(`${'长'.repeat(63)}…`);
    expect(id.problems.map((p) => p.code)).toEqual(['EXTERNAL_ID_INVALID']);
    expect(id.externalId).toBe(`${'X'.repeat(63)}…`);
    expect(await imports.runToEnd(report.job.id)).toMatchObject({ status: 'done', rowsImported: 0 });
  });

  it('a crash between chunks resumes from the last committed row, and nothing is imported twice', async () => {
    const phones = Array.from({ length: 7 }, () => phone());
    const report = await imports.check(admin, 'crash.csv', csv(['手机号,积分', ...phones.map((p, i) => `${p},${(i + 1) * 10}`)]));
    const crash = new Error('the process died');
    await expect(
      imports.runToEnd(report.job.id, {
        afterChunk: (chunk) => {
          if (chunk === 2) throw crash;
        },
      }),
    ).rejects.toBe(crash);
    let job = await imports.job(report.job.id);
    expect(job).toMatchObject({ status: 'importing', rowsImported: 4, cursorRow: 5 });

    // The dead worker's lease still runs: nobody else may take the import yet.
    expect(codeOf(await imports.start(report.job.id).catch((e) => e))).toBe('IMPORT_RUNNING');
    t.clock.advance(31_000);
    job = await imports.runToEnd(report.job.id);
    expect(job).toMatchObject({ status: 'done', rowsImported: 7, rowsExisting: 0, cursorRow: 8 });
    for (const [i, p] of phones.entries()) expect((await memberByPhone(p))!.pointsBalance).toBe((i + 1) * 10);
    // Done is done: starting it again changes nothing.
    expect(await imports.start(report.job.id)).toMatchObject({ status: 'done', rowsImported: 7 });
  });

  it('the same file again imports nothing twice: every row is a member already', async () => {
    const phones = [phone(), phone(), phone()];
    const file = csv(['手机号,积分,外部编号', ...phones.map((p, i) => `${p},100,RERUN-${kind}-${i}`)]);
    await imports.runToEnd((await imports.check(admin, 'a.csv', file)).job.id);
    const count = await members().count();
    const lines = await t.db.dataSource.getRepository(PointsLedgerLine).count();

    const again = await imports.check(admin, 'a.csv', file);
    expect(again.job).toMatchObject({ rowsValid: 0, rowsExisting: 0, rowsInvalid: 3 });
    // External ids are the members' already: the rows are refused with that reason (and the phones skipped).
    expect(again.rows.map((r) => r.problems.map((p) => p.code))).toEqual([
      ['EXTERNAL_ID_TAKEN'],
      ['EXTERNAL_ID_TAKEN'],
      ['EXTERNAL_ID_TAKEN'],
    ]);
    const withoutIds = await imports.check(admin, 'b.csv', csv(['手机号,积分', ...phones.map((p) => `${p},100`)]));
    expect(withoutIds.job).toMatchObject({ rowsValid: 0, rowsExisting: 3 });
    expect(withoutIds.rows[0].problems[0]).toEqual({ code: 'ALREADY_MEMBER', message: '该手机号已是会员，将跳过' });
    expect(await imports.runToEnd(withoutIds.job.id)).toMatchObject({ status: 'done', rowsImported: 0, rowsExisting: 3 });
    expect(await members().count()).toBe(count);
    expect(await t.db.dataSource.getRepository(PointsLedgerLine).count()).toBe(lines);
  });

  it('a phone that joined in the app between the dry run and the import is skipped, not duplicated', async () => {
    const [early, late] = [phone(), phone()];
    const report = await imports.check(admin, 'race.csv', csv(['手机号,积分', `${early},10`, `${late},20`]));
    const { code } = await mintLoginCode(t.emulator.url, `racer-${kind}`);
    const session = await t.app.get(AuthService).login(code);
    await t.app.get(MembersService).join(
      session.member.id,
      {
        privacyAccepted: true,
        privacyPolicyVersion: t.config.privacy.policyVersion,
        phoneCode: await mintPhoneCode(t.emulator.url, `racer-${kind}`, late),
      },
      (await members().findOneByOrFail({ id: session.member.id })).openid,
    );
    expect(await imports.runToEnd(report.job.id)).toMatchObject({ rowsImported: 1, rowsExisting: 1 });
    expect((await memberByPhone(late))!).toMatchObject({ id: session.member.id, pointsBalance: 0 });
  });

  it('a phone a WeChat join takes after the chunk checked it: the chunk is judged again, the row skipped, the import done', async () => {
    const [mine, theirs] = [phone(), phone()];
    const report = await imports.check(admin, 'late-join.csv', csv(['手机号,积分', `${mine},10`, `${theirs},20`]));
    const { code } = await mintLoginCode(t.emulator.url, `late-joiner-${kind}`);
    const session = await t.app.get(AuthService).login(code);
    await t.app.get(MembersService).join(
      session.member.id,
      {
        privacyAccepted: true,
        privacyPolicyVersion: t.config.privacy.policyVersion,
        phoneCode: await mintPhoneCode(t.emulator.url, `late-joiner-${kind}`, theirs),
      },
      (await members().findOneByOrFail({ id: session.member.id })).openid,
    );
    // The chunk's check misses the join once, as it would had the join committed just after the check.
    const real = membersRepository.phoneHashesTaken;
    const spy = jest.spyOn(membersRepository, 'phoneHashesTaken').mockImplementationOnce(async () => new Set<string>());
    try {
      expect(await imports.runToEnd(report.job.id)).toMatchObject({ status: 'done', rowsImported: 1, rowsExisting: 1 });
    } finally {
      spy.mockRestore();
    }
    expect(membersRepository.phoneHashesTaken).toBe(real);
    expect((await memberByPhone(theirs))!).toMatchObject({ id: session.member.id, pointsBalance: 0 });
    expect((await memberByPhone(mine))!).toMatchObject({ pointsBalance: 10 });
  });

  it('reads XLSX too (dates as Excel keeps them), and refuses a file without a phone column', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('会员');
    const p = phone();
    sheet.addRow(['手机号', '姓名', '生日', '积分', '积分有效期']);
    sheet.addRow([Number(p), '吴十', new Date(Date.UTC(1988, 11, 24)), 300, new Date(Date.UTC(2027, 0, 31))]);
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    const report = await imports.check(admin, 'm.xlsx', bytes);
    expect(report.job).toMatchObject({ rowsTotal: 1, rowsValid: 1 });
    await imports.runToEnd(report.job.id);
    expect((await memberByPhone(p))!).toMatchObject({ nickname: '吴十', birthday: '1988-12-24', pointsBalance: 300 });

    expect(codeOf(await imports.check(admin, 'x.csv', csv(['姓名,生日', '张三,1990-01-01'])).catch((e) => e))).toBe('IMPORT_FILE_INVALID');
  });

  it('an imported member who logs in with WeChat and binds the same phone IS that member, with their points', async () => {
    const p = phone();
    const report = await imports.check(admin, 'bind.csv', csv(['手机号,等级,积分', `${p},gold,880`]));
    await imports.runToEnd(report.job.id);
    const imported = (await memberByPhone(p))!;

    const user = `imported-${kind}`;
    const auth = t.app.get(AuthService);
    const first = await auth.login((await mintLoginCode(t.emulator.url, user)).code);
    expect(first.member.id).not.toBe(imported.id); // the first login cannot know the phone yet
    const profile = await t.app.get(MembersService).join(
      first.member.id,
      {
        privacyAccepted: true,
        privacyPolicyVersion: t.config.privacy.policyVersion,
        phoneCode: await mintPhoneCode(t.emulator.url, user, p),
      },
      (await members().findOneByOrFail({ id: first.member.id })).openid,
    );
    expect(profile).toMatchObject({ id: imported.id, joined: true, phoneMasked: imported.phoneMasked });
    // The visitor row is retired (its session is refused), and the next login lands on the imported member.
    expect(await members().findOneByOrFail({ id: first.member.id })).toMatchObject({ accountStatus: 'deleted' });
    const again = await auth.login((await mintLoginCode(t.emulator.url, user)).code);
    expect(again.member).toMatchObject({ id: imported.id, joined: true });
    const bound = await members().findOneByOrFail({ id: imported.id });
    expect(bound).toMatchObject({ pointsBalance: 880, tier: 'gold', privacyPolicyVersion: t.config.privacy.policyVersion });
    expect(bound.openid).not.toMatch(/^import:/);
    // Binding again (the app retried) or another WeChat user with the same phone: the phone is taken.
    const other = await auth.login((await mintLoginCode(t.emulator.url, `${user}-2`)).code);
    const refused = await t.app
      .get(MembersService)
      .join(
        other.member.id,
        {
          privacyAccepted: true,
          privacyPolicyVersion: t.config.privacy.policyVersion,
          phoneCode: await mintPhoneCode(t.emulator.url, `${user}-2`, p),
        },
        (await members().findOneByOrFail({ id: other.member.id })).openid,
      )
      .catch((e) => e);
    expect(codeOf(refused)).toBe('PHONE_ALREADY_BOUND');
  });
});
