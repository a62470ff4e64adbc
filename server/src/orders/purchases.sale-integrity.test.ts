import { ClaimService } from '../coupons/claim.service';
import { Coupon } from '../coupons/coupon.entity';
import { RedemptionService } from '../coupons/redemption.service';
import { TemplatesService } from '../coupons/templates.service';
import { templateRequest } from '../testing/coupon-fixtures';
import { TEST_DATABASES } from '../testing/databases';
import { expectInvariants } from '../testing/invariants';
import { codeOf } from '../testing/spec';
import type { TestApp } from '../testing/test-app';
import { tillSpec } from '../testing/till-spec';
import { Purchase, PurchaseRefund } from './sale.entities';
import { PurchasesService } from './purchases.service';

const START = '2026-11-23T02:00:00Z'; // Monday 10:00 in Shanghai, not a member day

/** Issue 14 at the till: a redemption owned by its purchase (defect 3) and requests resent at once (defect 4). */
describe.each(TEST_DATABASES)('till sales under retries and reversals on %s', (kind) => {
  const till = tillSpec(kind, 'sale', 20);
  const { key, member, buy, balanceOf } = till;
  let t: TestApp;
  let purchases: PurchasesService;
  let redemptions: RedemptionService;
  let templateId: number;
  const couponOf = async (memberId: number) => t.app.get(ClaimService).claim(memberId, templateId, key());
  const couponStatus = async (couponId: number) => (await t.db.dataSource.getRepository(Coupon).findOneByOrFail({ id: couponId })).status;
  const settled = <T>(answers: PromiseSettledResult<T>[]) => {
    expect(answers.filter((a): a is PromiseRejectedResult => a.status === 'rejected').map((a) => codeOf(a.reason))).toEqual([]);
    return answers.map((a) => (a as PromiseFulfilledResult<T>).value);
  };

  beforeAll(async () => {
    ({ t, purchases } = await till.start());
    redemptions = t.app.get(RedemptionService);
    t.clock.set(START);
    templateId = (await t.app.get(TemplatesService).create(templateRequest(t.clock.now(), { totalStock: 1000 }))).id;
  });
  beforeEach(() => t.clock.set(START));
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));

  it('defect 3: a till purchase’s redemption can’t be reversed alone (REDEMPTION_OWNED_BY_SALE); the full refund returns it', async () => {
    const me = member();
    const coupon = await couponOf(me);
    const purchase = await buy(me, 30_000, { couponCode: coupon.code });
    expect(purchase.couponDiscountFen).toBe(2000);
    const { redemptionId } = await t.db.dataSource.getRepository(Purchase).findOneByOrFail({ id: purchase.id });

    expect(codeOf(await redemptions.reverse(redemptionId!).catch((e) => e))).toBe('REDEMPTION_OWNED_BY_SALE');
    expect(await couponStatus(coupon.id)).toBe('redeemed');
    // So the same coupon cannot give a second discount at the till.
    expect(codeOf(await buy(me, 30_000, { couponCode: coupon.code }).catch((e) => e))).toBe('COUPON_ALREADY_REDEEMED');

    // A partial refund keeps it; the full refund (the owning sale's undo) gives it back.
    expect((await purchases.refund(purchase.id, { amountFen: 10_000, refundNo: key() }, 'o-clerk')).couponRestored).toBe(false);
    expect(await couponStatus(coupon.id)).toBe('redeemed');
    expect((await purchases.refund(purchase.id, { amountFen: 18_000, refundNo: key() }, 'o-clerk')).couponRestored).toBe(true);
    expect(await couponStatus(coupon.id)).toBe('available');
    // Still the sale's to undo, never the clerk's.
    expect(codeOf(await redemptions.reverse(redemptionId!).catch((e) => e))).toBe('REDEMPTION_OWNED_BY_SALE');

    // A standalone redemption is still reversed by the clerk.
    const standalone = await redemptions.redeem({ code: coupon.code, orderAmountFen: 30_000, idempotencyKey: key() }, 'o-clerk');
    expect(await redemptions.reverse(standalone.redemptionId)).toMatchObject({ restored: true });
  });

  it('defect 4: twenty identical till purchases at once all answer the first; the same key with another payload is refused', async () => {
    const me = member();
    await buy(me, 60_000); // 600 points
    const coupon = await couponOf(me);
    const k = key();
    const results = settled(
      await Promise.allSettled(
        Array.from({ length: 20 }, () => buy(me, 30_000, { couponCode: coupon.code, pointsToBurn: 500, idempotencyKey: k })),
      ),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results[0]).toMatchObject({ couponDiscountFen: 2000, pointsBurned: 500, paidFen: 27_500 });
    expect(await t.db.dataSource.getRepository(Purchase).countBy({ memberId: me })).toBe(2);
    expect(await balanceOf(me)).toBe(600 - 500 + 275);

    for (const other of [{ amountFen: 30_001 }, { pointsToBurn: 0 }, { couponCode: undefined }, { storeCode: 'S002' }]) {
      const answer = await buy(me, other.amountFen ?? 30_000, {
        couponCode: 'couponCode' in other ? other.couponCode : coupon.code,
        pointsToBurn: other.pointsToBurn ?? 500,
        storeCode: other.storeCode,
        idempotencyKey: k,
      }).catch((e) => e);
      expect(codeOf(answer)).toBe('IDEMPOTENCY_KEY_REUSED');
    }
    // Another member's (valid) code under the same key is another sale too.
    expect(codeOf(await buy(member(), 30_000, { couponCode: coupon.code, pointsToBurn: 500, idempotencyKey: k }).catch((e) => e))).toBe(
      'IDEMPOTENCY_KEY_REUSED',
    );
    expect(await t.db.dataSource.getRepository(Purchase).countBy({ memberId: me })).toBe(2);
  });

  it('defect 4: 20 identical till refunds at once all answer the first; the same refund no. with another amount is refused', async () => {
    const me = member();
    const purchase = await buy(me, 30_000);
    const refundNo = key();
    const results = settled(
      await Promise.allSettled(Array.from({ length: 20 }, () => purchases.refund(purchase.id, { amountFen: 30_000, refundNo }, 'o-clerk'))),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results[0]).toMatchObject({ amountFen: 30_000, pointsClawed: 300, purchase: { refundedFen: 30_000 } });
    expect(await t.db.dataSource.getRepository(PurchaseRefund).countBy({ purchaseId: purchase.id })).toBe(1);
    expect(codeOf(await purchases.refund(purchase.id, { amountFen: 100, refundNo }, 'o-clerk').catch((e) => e))).toBe(
      'IDEMPOTENCY_KEY_REUSED',
    );
    expect(codeOf(await purchases.refund(purchase.id, { amountFen: 100, refundNo: key() }, 'o-clerk').catch((e) => e))).toBe(
      'REFUND_EXCEEDS_PAID',
    );
    expect(await balanceOf(me)).toBe(0);
  });

  it('defect 4: twenty identical redemptions at once all answer the first; the same key with another payload is refused', async () => {
    const me = member();
    const coupon = await couponOf(me);
    const k = key();
    const request = { code: coupon.code, orderAmountFen: 30_000, memberId: me, idempotencyKey: k };
    const results = settled(await Promise.allSettled(Array.from({ length: 20 }, () => redemptions.redeem(request, 'o-clerk'))));
    expect(new Set(results.map((r) => r.redemptionId)).size).toBe(1);
    expect(results.every((r) => r.discountFen === 2000 && r.coupon.status === 'redeemed')).toBe(true);
    expect(
      await t.app
        .get(TemplatesService)
        .get(templateId)
        .then((tpl) => tpl.redeemedCount),
    ).toBeGreaterThanOrEqual(1);

    for (const other of [
      { ...request, orderAmountFen: 25_000 },
      { ...request, memberId: undefined },
    ]) {
      expect(codeOf(await redemptions.redeem(other, 'o-clerk').catch((e) => e))).toBe('IDEMPOTENCY_KEY_REUSED');
    }
    // A sale's own redemption is never the answer to a standalone request under the key it derived.
    const buyer = member();
    const owned = await couponOf(buyer);
    const tillKey = key();
    await buy(buyer, 30_000, { couponCode: owned.code, idempotencyKey: tillKey });
    const replayed = await redemptions
      .redeem({ code: owned.code, orderAmountFen: 30_000, idempotencyKey: `purchase-${tillKey}` }, 'o-clerk')
      .catch((e) => e);
    expect(codeOf(replayed)).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});
