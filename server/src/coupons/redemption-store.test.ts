import type { StaffAccount } from '../auth/staff.service';
import { DomainError } from '../common/domain-error';
import { issueMemberCode } from '../members/member-code';
import { PurchasesService } from '../orders/purchases.service';
import { insertJoinedMembers, templateRequest } from '../testing/coupon-fixtures';
import { TEST_DATABASES } from '../testing/databases';
import { expectInvariants } from '../testing/invariants';
import { startTestApp, type TestApp } from '../testing/test-app';
import { ClaimService } from './claim.service';
import { CouponRedemption } from './coupon-redemption.entity';
import { Coupon } from './coupon.entity';
import { RedemptionService } from './redemption.service';
import { TemplatesService } from './templates.service';

const codeOf = (error: unknown) => (error instanceof DomainError ? error.code : error);
const START = '2026-11-23T02:00:00Z';
let keySeq = 0;
const key = () => `rs-key-${++keySeq}-${Math.random().toString(36).slice(2, 8)}`;
const staff = (role: StaffAccount['role'], stores: string[]): Pick<StaffAccount, 'role' | 'stores'> => ({ role, stores });
const clerkA = staff('clerk', ['S001']);
const clerkB = staff('clerk', ['S002']);
const managerA = staff('store_manager', ['S001', 'S003']);
const admin = staff('admin', []);

/**
 * Issue 14, point 5: a redemption is bound to the store it was made at. Only that store's staff (or an admin)
 * may reverse it; one whose store is unknown (older than the column) only an admin.
 */
describe.each(TEST_DATABASES)('redemptions bound to their store on %s', (kind) => {
  let t: TestApp;
  let redemptions: RedemptionService;
  let templateId: number;
  let members: number[];
  let next = 0;

  const redeemedAt = async (storeCode: string | null) => {
    const memberId = members[next++];
    const coupon = await t.app.get(ClaimService).claim(memberId, templateId, key());
    const redeemed = await redemptions.redeem(
      { code: coupon.code, orderAmountFen: 30_000, memberId, idempotencyKey: key() },
      'o-clerk',
      storeCode,
    );
    return { coupon, redemptionId: redeemed.redemptionId };
  };
  const row = (id: number) => t.db.dataSource.getRepository(CouponRedemption).findOneByOrFail({ id });
  const couponStatus = async (id: number) => (await t.db.dataSource.getRepository(Coupon).findOneByOrFail({ id })).status;

  beforeAll(async () => {
    t = await startTestApp(kind);
    t.clock.set(START);
    redemptions = t.app.get(RedemptionService);
    templateId = (await t.app.get(TemplatesService).create(templateRequest(t.clock.now(), { totalStock: 100, perMemberLimit: 1 }))).id;
    members = await insertJoinedMembers(t.db.dataSource, 20, `rs-${kind}`, new Date('2026-11-20T00:00:00Z'));
  });
  afterAll(() => t?.close());
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));

  it('records the store it was redeemed at; another store’s clerk cannot reverse it, its own store’s staff can', async () => {
    const { coupon, redemptionId } = await redeemedAt('S001');
    expect((await row(redemptionId)).storeCode).toBe('S001');
    expect(codeOf(await redemptions.reverse(redemptionId, clerkB).catch((e) => e))).toBe('STORE_NOT_YOURS');
    expect(await couponStatus(coupon.id)).toBe('redeemed');
    expect((await row(redemptionId)).status).toBe('redeemed');
    expect(await redemptions.reverse(redemptionId, managerA)).toMatchObject({ restored: true });

    const other = await redeemedAt('S001');
    expect(await redemptions.reverse(other.redemptionId, clerkA)).toMatchObject({ restored: true });
  });

  it('an admin reverses anywhere, including a redemption whose store is unknown; staff of any store cannot', async () => {
    const atB = await redeemedAt('S002');
    expect(await redemptions.reverse(atB.redemptionId, admin)).toMatchObject({ restored: true });

    // A row from before the column (or an admin's redemption naming no store): store unknown.
    const unknown = await redeemedAt(null);
    expect((await row(unknown.redemptionId)).storeCode).toBeNull();
    for (const who of [clerkA, clerkB, managerA])
      expect(codeOf(await redemptions.reverse(unknown.redemptionId, who).catch((e) => e))).toBe('STORE_NOT_YOURS');
    expect(await couponStatus(unknown.coupon.id)).toBe('redeemed');
    expect(await redemptions.reverse(unknown.redemptionId, admin)).toMatchObject({ restored: true });
  });

  it('the store check comes before the state: another store learns nothing about a reversed or sale-owned redemption', async () => {
    const done = await redeemedAt('S001');
    await redemptions.reverse(done.redemptionId, clerkA);
    expect(codeOf(await redemptions.reverse(done.redemptionId, clerkB).catch((e) => e))).toBe('STORE_NOT_YOURS');
    expect(codeOf(await redemptions.reverse(done.redemptionId, clerkA).catch((e) => e))).toBe('REDEMPTION_ALREADY_REVERSED');
  });

  it('a till purchase’s redemption carries the purchase’s store and stays the sale’s to undo', async () => {
    const memberId = members[next++];
    const coupon = await t.app.get(ClaimService).claim(memberId, templateId, key());
    const memberCode = issueMemberCode(
      { secret: t.config.security.memberCodeSecret, ...t.config.memberCode },
      memberId,
      t.clock.now(),
    ).code;
    await t.app
      .get(PurchasesService)
      .record({ memberCode, amountFen: 30_000, storeCode: 'S002', couponCode: coupon.code, idempotencyKey: key() }, 'o-clerk');
    const [owned] = await t.db.dataSource.getRepository(CouponRedemption).findBy({ couponId: coupon.id });
    expect(owned).toMatchObject({ storeCode: 'S002', ownerKind: 'purchase' });
    expect(codeOf(await redemptions.reverse(owned.id, clerkA).catch((e) => e))).toBe('STORE_NOT_YOURS');
    expect(codeOf(await redemptions.reverse(owned.id, clerkB).catch((e) => e))).toBe('REDEMPTION_OWNED_BY_SALE');
  });
});
