import { openPage, replacePage } from '@/utils/navigation';
import { useCallback, useEffect, useRef } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { ERRORS, type CouponView } from '@member/shared';
import { ApiError, ensureSession, getCoupon, peekPublicConfig } from '../../api';
import ActionButton from '../../components/ActionButton';
import CodeImages from '../../components/CodeImages';
import CouponTicket from '../../components/CouponTicket';
import StateView from '../../components/StateView';
import { useLoader } from '../../hooks/useLoader';
import { usePageVisible } from '../../hooks/usePageVisible';
import platform from '../../platform';
import { COUPON_STATUS_NAMES, expiryBadge, explainCouponTerms, payWithCouponUrl } from '../../utils/coupons';
import { businessDateTime } from '../../utils/dates';
import './index.scss';

/** While the code is on screen at the till, look every few seconds whether the clerk has redeemed it. */
const WATCH_INTERVAL_MS = 4000;

function couponIdFromRoute(): number | null {
  const raw = Taro.getCurrentInstance().router?.params?.id ?? '';
  return /^\d{1,12}$/.test(raw) ? Number(raw) : null;
}

export default function CouponPage() {
  const id = useRef(couponIdFromRoute()).current;
  const fetchCoupon = useCallback(async (): Promise<CouponView> => {
    // A malformed link answers like an unknown coupon.
    if (id === null) throw new ApiError('COUPON_NOT_FOUND', ERRORS.COUPON_NOT_FOUND.message, 404);
    await ensureSession();
    return getCoupon(id);
  }, [id]);
  const { state, reload } = useLoader(fetchCoupon, { blockedBy: ['COUPON_NOT_FOUND'], toastQuietFailures: false });
  const visible = usePageVisible();

  const showingCode = state.kind === 'ready' && state.data.status === 'available' && visible;
  useEffect(() => {
    if (!showingCode) return undefined;
    // Bright screen and no screenshots while a redeemable code is shown, as with the member code.
    void platform.keepScreenBright(true);
    void platform.protectFromCapture(true);
    const timer = setInterval(() => void reload(true), WATCH_INTERVAL_MS);
    return () => {
      clearInterval(timer);
      void platform.keepScreenBright(false);
      void platform.protectFromCapture(false);
    };
  }, [showingCode, reload]);

  if (state.kind === 'loading') {
    return (
      <View className='page coupon-page'>
        <StateView status='loading' idPrefix='coupon-page' title='正在加载优惠券…' />
      </View>
    );
  }
  if (state.kind === 'error') {
    return (
      <View className='page coupon-page'>
        <StateView
          status='error'
          idPrefix='coupon-page'
          title='优惠券加载失败'
          message={state.message}
          onRetry={() => void reload(false)}
        />
      </View>
    );
  }
  if (state.kind === 'blocked') {
    return (
      <View className='page coupon-page'>
        <StateView
          status='empty'
          idPrefix='coupon-page'
          title='找不到这张优惠券'
          retryText='返回券包'
          onRetry={() => replacePage('/pages/wallet/index')}
        />
      </View>
    );
  }

  const coupon = state.data;
  const usable = coupon.status === 'available';
  const notYet = usable && coupon.notYetValid;
  return (
    <View className='page coupon-page'>
      <CouponTicket
        id='coupon-ticket'
        terms={coupon.terms}
        name={coupon.name}
        badge={usable ? expiryBadge(coupon.daysLeft, peekPublicConfig()?.couponExpiringSoonDays) : null}
        muted={!usable}
        stamp={usable ? null : COUPON_STATUS_NAMES[coupon.status]}
      />

      <View id='coupon-code' className='section coupon-page__code'>
        {usable ? (
          <>
            <Text className='coupon-page__hint'>{notYet ? `${businessDateTime(coupon.validFrom)} 起可用` : '结账时向店员出示此券码'}</Text>
            <CodeImages code={coupon.code} idPrefix='coupon-code' subject='优惠券' />
          </>
        ) : coupon.status === 'held' ? (
          <View id='coupon-status' className='coupon-page__done'>
            <Text className='coupon-page__done-title'>此券已锁定</Text>
            <Text className='coupon-page__done-sub'>一笔待支付订单正在使用此券；取消订单或超时未付后，券会退回券包</Text>
            <ActionButton id='coupon-goto-orders' className='coupon-page__secondary' onClick={() => openPage('/pages/orders/index')}>
              查看待支付订单
            </ActionButton>
          </View>
        ) : (
          <View id='coupon-status' className='coupon-page__done'>
            <Text className='coupon-page__done-title'>{coupon.status === 'redeemed' ? '此券已使用' : '此券已过期'}</Text>
            <Text className='coupon-page__done-sub'>
              {coupon.status === 'redeemed' && coupon.redeemedAt
                ? `使用时间 ${businessDateTime(coupon.redeemedAt)}`
                : `有效期至 ${businessDateTime(coupon.validUntil)}`}
            </Text>
          </View>
        )}
      </View>

      {usable && !notYet ? (
        <ActionButton id='coupon-use' className='coupon-page__use' onClick={() => openPage(payWithCouponUrl(coupon.id))}>
          去使用 · 在线付款
        </ActionButton>
      ) : null}

      <View className='section'>
        <Text className='section-title'>使用说明</Text>
        <View className='coupon-page__line'>
          <Text className='coupon-page__key'>有效期</Text>
          <Text id='coupon-validity'>
            {businessDateTime(coupon.validFrom)} 至 {businessDateTime(coupon.validUntil)}
          </Text>
        </View>
        {explainCouponTerms(coupon.terms).map((line) => (
          <Text key={line} className='coupon-page__rule'>
            · {line}
          </Text>
        ))}
        {coupon.description ? <Text className='coupon-page__rule'>· {coupon.description}</Text> : null}
      </View>
    </View>
  );
}
