import { Text, View } from '@tarojs/components';
import CouponTicket from '../../../components/CouponTicket';
import StateView from '../../../components/StateView';
import { businessDate } from '../../../utils/dates';
import { bestCouponId } from '../../../utils/pay';
import type { PayQuote } from '../usePayQuote';

/** The member's coupons for this amount: the applicable ones to pick (the best one already picked), the rest with why not. */
export default function CouponPicker({ pay, locked }: { pay: PayQuote; locked: boolean }) {
  const { options, checkout, couponId } = pay;
  const coupons = options?.coupons ?? [];
  const applicableCount = coupons.filter((c) => c.applicable).length;
  return (
    <View id='pay-coupons' className='pay-coupons'>
      <View className='pay-coupons__head'>
        <Text className='pay-coupons__title'>优惠券</Text>
        {options ? (
          <Text className='pay-coupons__aside'>
            {applicableCount > 0
              ? `${applicableCount} 张可用${couponId !== null && couponId === bestCouponId(options) ? '，已选最优' : ''}`
              : '无可用券'}
          </Text>
        ) : null}
      </View>
      {!options && checkout.status === 'error' ? (
        <View className='pay-coupons__state'>
          <StateView
            status='error'
            compact
            idPrefix='pay-checkout'
            title='优惠信息加载失败'
            message={checkout.message}
            onRetry={pay.reload}
          />
        </View>
      ) : !options ? (
        <View className='pay-coupons__state'>
          <StateView status='loading' compact idPrefix='pay-checkout' title='正在查询可用优惠…' />
        </View>
      ) : coupons.length === 0 ? (
        <View className='pay-coupons__state'>
          <StateView status='empty' compact idPrefix='pay-coupons' title='暂无可用优惠券' message='去领券中心看看，下次付款可用' />
        </View>
      ) : (
        <>
          <View
            id='pay-coupon-none'
            className={`pay-choice${couponId === null ? ' pay-choice--on' : ''}${locked ? ' pay-choice--locked' : ''}`}
            ariaRole='radio'
            onClick={() => !locked && pay.chooseCoupon(null)}
          >
            <Text className='pay-choice__label'>不使用优惠券</Text>
            <View className='pay-radio'>{couponId === null ? <View className='pay-radio__dot' /> : null}</View>
          </View>
          {coupons.map(({ coupon, applicable, reasonText }) => (
            <View key={coupon.id} className={`pay-coupon${couponId === coupon.id ? ' pay-coupon--on' : ''}`}>
              <CouponTicket
                id={`pay-coupon-${coupon.id}`}
                terms={coupon.terms}
                name={coupon.name}
                muted={!applicable}
                meta={applicable ? [`有效期至 ${businessDate(coupon.validUntil)}`] : [reasonText ?? '本单不可用']}
                action={
                  applicable ? (
                    <View className='pay-radio'>{couponId === coupon.id ? <View className='pay-radio__dot' /> : null}</View>
                  ) : null
                }
                onClick={() => {
                  if (applicable && !locked) pay.chooseCoupon(coupon.id);
                }}
              />
            </View>
          ))}
        </>
      )}
    </View>
  );
}
