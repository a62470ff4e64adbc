import { AccountStatus, OutboxStatus, PayOrderStatus, type MessageKind } from '@member/shared';
import { AuditLog } from '../audit/audit-log.entity';
import { AuthService } from '../auth/auth.service';
import { SessionTokens } from '../auth/session';
import { SessionRevocations } from '../auth/session-revocations';
import { StaffMember } from '../auth/staff-member.entity';
import { MemberAccessGrant } from '../auth/store.entity';
import { Clock } from '../common/clock';
import { TransactionRunner } from '../database/transaction-runner';
import { ClaimService } from '../coupons/claim.service';
import { Coupon } from '../coupons/coupon.entity';
import { TemplatesService } from '../coupons/templates.service';
import { MessageGrant, OutboxMessage } from '../messages/message.entities';
import { MessagesService } from '../messages/messages.service';
import { PayOrder } from '../orders/pay/pay-order.entity';
import { PointsLedgerLine } from '../points/points.entities';
import { templateRequest } from '../testing/coupon-fixtures';
import { TEST_DATABASES } from '../testing/databases';
import { mintLoginCode, mintPhoneCode, TEST_APP } from '../testing/emulator';
import { expectInvariants } from '../testing/invariants';
import { settleSale } from '../testing/sales';
import { codeOf, keyMaker } from '../testing/spec';
import { startTestApp, type TestApp } from '../testing/test-app';
import { AccountDeletionService, deletedOpenid } from './account-deletion.service';
import { AvatarService } from './avatar.service';
import { MemberCardService } from './member-card.service';
import { MemberAvatar } from './member-avatar.entity';
import { Member } from './member.entity';
import { MembersService } from './members.service';

const key = keyMaker('deletion');
// The smallest PNG there is: the avatar check reads the type from the bytes.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

describe.each(TEST_DATABASES)('account deletion (注销) on %s', (kind) => {
  let t: TestApp;
  let auth: AuthService;
  let members: MembersService;
  let deletion: AccountDeletionService;
  let revocations: SessionRevocations;
  let seq = 0;

  beforeAll(async () => {
    t = await startTestApp(kind);
    auth = t.app.get(AuthService);
    members = t.app.get(MembersService);
    deletion = t.app.get(AccountDeletionService);
    revocations = t.app.get(SessionRevocations);
  });
  afterAll(() => t?.close());
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));

  const emulatorPost = async (path: string, body: unknown) =>
    (await (
      await fetch(`${t.emulator.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json()) as Record<string, unknown>;

  async function login(user: string) {
    const { code } = await mintLoginCode(t.emulator.url, user);
    return auth.login(code);
  }

  /** A joined member with a nickname, an avatar, a birthday and a grant for coupon messages. */
  async function richMember(phone: string) {
    const user = `del-${kind}-${++seq}`;
    const session = await login(user);
    const id = session.member.id;
    const openid = (await members.getMember(id)).openid;
    await members.join(
      id,
      {
        privacyAccepted: true,
        privacyPolicyVersion: t.config.privacy.policyVersion,
        phoneCode: await mintPhoneCode(t.emulator.url, user, phone),
      },
      openid,
    );
    await members.updateProfile(id, { nickname: '小周' });
    await t.app.get(AvatarService).saveAvatar(id, PNG);
    await members.setBirthday(id, '1990-05-06');
    const kindOf: MessageKind = 'coupon_arrived';
    const templateId = t.config.messages.templates[kindOf].templateId;
    const answer = await emulatorPost('/dev/subscribe', {
      appid: TEST_APP.appid,
      user,
      tmplIds: [templateId],
      decisions: { [templateId]: 'accept' },
    });
    const { errMsg: _errMsg, ...results } = answer;
    await t.app
      .get(MessagesService)
      .report(id, { results: results as Record<string, string>, moment: 'notify_me', idempotencyKey: key() } as never);
    return { user, id, openid, token: session.token };
  }

  it('anonymises the person, keeps the ledgers, stops messages, audits, and a returning WeChat user is a new visitor', async () => {
    const me = await richMember('13900000001');
    await settleSale(t, { memberId: me.id, idempotencyKey: key(), paidFen: 12_300 });
    const pointsBefore = await t.db.dataSource.getRepository(PointsLedgerLine).countBy({ memberId: me.id });
    expect(pointsBefore).toBeGreaterThan(0);
    expect(await t.db.dataSource.getRepository(MessageGrant).countBy({ memberId: me.id })).toBe(1);

    const answer = await deletion.deleteAccount(me.id);
    expect(answer).toEqual({ deleted: true, deletedAt: t.clock.now().toISOString() });

    const row = await t.db.dataSource.getRepository(Member).findOneByOrFail({ id: me.id });
    expect(row).toMatchObject({
      openid: deletedOpenid(me.id),
      unionid: null,
      nickname: null,
      avatarUrl: null,
      phoneCipher: null,
      phoneHash: null,
      phoneMasked: null,
      birthday: null,
      birthdayMonth: null,
      birthdayDay: null,
      birthdaySetOn: null,
      joinedAt: null,
      accountStatus: AccountStatus.Deleted,
      deletedAt: t.clock.now(),
    });
    expect(await t.db.dataSource.getRepository(MemberAvatar).countBy({ memberId: me.id })).toBe(0);
    // The books stay: the sale's points lines still point at the (anonymised) member.
    expect(await t.db.dataSource.getRepository(PointsLedgerLine).countBy({ memberId: me.id })).toBe(pointsBefore);
    expect(Number((await t.db.dataSource.query('SELECT COUNT(*) AS n FROM purchase WHERE member_id = ?', [me.id]))[0].n)).toBe(1);
    expect(await t.db.dataSource.getRepository(MessageGrant).countBy({ memberId: me.id })).toBe(0);
    expect(await t.db.dataSource.getRepository(AuditLog).findBy({ memberId: me.id, action: 'account.delete' })).toEqual([
      expect.objectContaining({ role: 'member', staffId: null, outcome: 'ok' }),
    ]);

    // A clerk (or an admin) asking for the member sees nothing: the deleted account is no member to show.
    expect(
      codeOf(
        await t.app
          .get(MemberCardService)
          .staffView(me.id)
          .catch((e) => e),
      ),
    ).toBe('MEMBER_NOT_FOUND');

    // The same WeChat user opens the app again: a new member, nothing of the old one.
    const again = await login(me.user);
    expect(again.member.id).not.toBe(me.id);
    expect(again.member).toMatchObject({ joined: false, nickname: null, avatarUrl: null, phoneMasked: null, birthday: null });
    // The phone is free again: the new member may join with it.
    const phoneCode = await mintPhoneCode(t.emulator.url, me.user, '13900000001');
    await expect(
      members.join(again.member.id, { privacyAccepted: true, privacyPolicyVersion: t.config.privacy.policyVersion, phoneCode }, me.openid),
    ).resolves.toMatchObject({ joined: true });
  });

  it('refuses every token issued before, on this instance (cached) and on another, and a replayed deletion is harmless', async () => {
    const me = await richMember('13900000002');
    const sessions = t.app.get(SessionTokens);
    expect(sessions.verify(me.token).memberId).toBe(me.id); // now in this instance's verified-token cache
    await revocations.assertLive(me.id);
    const first = await deletion.deleteAccount(me.id);

    expect(sessions.verify(me.token).memberId).toBe(me.id); // the signature is still good…
    expect(codeOf(await revocations.assertLive(me.id).catch((e) => e))).toBe('SESSION_REVOKED'); // …the account is not

    // A second server instance that never saw the deletion: its own token cache and revocation check.
    const otherTokens = new SessionTokens(t.config, t.app.get(Clock));
    const otherRevocations = new SessionRevocations(t.db.dataSource);
    expect(otherTokens.verify(me.token).memberId).toBe(me.id);
    expect(codeOf(await otherRevocations.assertLive(me.id).catch((e) => e))).toBe('SESSION_REVOKED');

    // The deletion replayed (its answer lost): the same answer, nothing changes, one audit record.
    t.clock.advance(60);
    expect(await deletion.deleteAccount(me.id)).toEqual(first);
    expect(await t.db.dataSource.getRepository(AuditLog).countBy({ memberId: me.id, action: 'account.delete' })).toBe(1);
    // A live member beside it is untouched, even asked in the same batch.
    const other = await login(`del-${kind}-bystander`);
    await expect(
      Promise.all([otherRevocations.assertLive(other.member.id), otherRevocations.assertLive(other.member.id)]),
    ).resolves.toEqual([undefined, undefined]);
  });

  it('refuses with ACCOUNT_HAS_OPEN_ORDER while an app order waits for payment, and changes nothing', async () => {
    const me = await richMember('13900000003');
    const now = t.clock.now();
    await t.db.dataSource.getRepository(PayOrder).insert({
      memberId: me.id,
      idempotencyKey: key(),
      storeCode: 'S001',
      grossFen: 5000,
      outTradeNo: `T${Date.now()}${seq}`,
      openid: me.openid,
      status: PayOrderStatus.Pending,
      payableFen: 5000,
      createdAt: now,
      expiresAt: new Date(now.getTime() + 15 * 60_000),
    });
    expect(codeOf(await deletion.deleteAccount(me.id).catch((e) => e))).toBe('ACCOUNT_HAS_OPEN_ORDER');
    expect(await members.getMember(me.id)).toMatchObject({
      accountStatus: AccountStatus.Active,
      nickname: '小周',
      phoneMasked: '139****0003',
    });
    await revocations.assertLive(me.id);
    await t.db.dataSource.getRepository(PayOrder).update({ memberId: me.id }, { status: PayOrderStatus.Closed, closedAt: now });
  });

  it('a profile edit, an avatar, a birthday or a claim racing the deletion never writes the person back', async () => {
    const template = await t.app.get(TemplatesService).create(templateRequest(t.clock.now()));
    for (let round = 0; round < 3; round++) {
      const me = await richMember(`1390000010${round}`);
      const outcomes = await Promise.allSettled([
        members.updateProfile(me.id, { nickname: '回来了' }),
        t.app.get(AvatarService).saveAvatar(me.id, PNG),
        members.setBirthday(me.id, '1991-07-08'),
        t.app.get(ClaimService).claim(me.id, template.id, key()),
        deletion.deleteAccount(me.id),
        deletion.deleteAccount(me.id),
      ]);
      expect(outcomes[4].status).toBe('fulfilled');
      expect(outcomes[5]).toEqual(outcomes[4]);
      for (const outcome of outcomes.slice(0, 3)) {
        if (outcome.status === 'rejected')
          expect(codeOf(outcome.reason)).toMatch(/SESSION_REVOKED|BIRTHDAY_CHANGE_TOO_SOON|MEMBER_NOT_JOINED/);
      }
      // The claim's flush reads the member row: after the deletion it refuses the session (the route's check).
      if (outcomes[3].status === 'rejected')
        expect(codeOf(outcomes[3].reason)).toMatch(/SESSION_REVOKED|MEMBER_NOT_JOINED|MEMBER_NOT_FOUND/);
      const row = await t.db.dataSource.getRepository(Member).findOneByOrFail({ id: me.id });
      expect(row).toMatchObject({ accountStatus: AccountStatus.Deleted, nickname: null, avatarUrl: null, birthday: null, phoneHash: null });
      expect(await t.db.dataSource.getRepository(MemberAvatar).countBy({ memberId: me.id })).toBe(0);
      // A coupon claimed just before stays in the books (coupon history), with the anonymised member.
      expect(await t.db.dataSource.getRepository(Coupon).countBy({ memberId: me.id })).toBeLessThanOrEqual(1);
    }
  });

  it('skips queued messages and drops clerks’ access to the member', async () => {
    const me = await richMember('13900000004');
    const messages = t.app.get(MessagesService);
    await t.app.get(TransactionRunner).run((em) =>
      messages.queue(em, {
        memberId: me.id,
        kind: 'coupon_arrived',
        vars: { couponName: '满200减20', expiresOn: '2026-12-09' },
        dedupeKey: key(),
      }),
    );
    const clerk = await t.db.dataSource
      .getRepository(StaffMember)
      .insert({ openid: `o-clerk-${kind}`, role: 'clerk', name: '店员', source: 'cli' as never });
    const staffId = Number(clerk.identifiers[0].id);
    await t.db.dataSource
      .getRepository(MemberAccessGrant)
      .insert({ staffId, memberId: me.id, expiresAt: new Date(t.clock.now().getTime() + 60_000) });
    await deletion.deleteAccount(me.id);
    const rows = await t.db.dataSource.getRepository(OutboxMessage).findBy({ memberId: me.id });
    expect(rows.map((r) => [r.status, r.skipReason, r.data])).toEqual([[OutboxStatus.Skipped, 'no_member', '{}']]);
    expect(await t.db.dataSource.getRepository(MemberAccessGrant).countBy({ memberId: me.id })).toBe(0);
  });
});
