import { useCallback, useEffect, useState } from 'react';
import { useDidShow } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import type { PayOrderView } from '@member/shared';
import { getPendingPayOrder } from '../../api';
import { useUnpaidOrder } from '../../hooks/useUnpaidOrder';
import { openPage } from '../../utils/navigation';
import { payByTime } from '../../utils/orders';
import { money } from '../../utils/pay';
import ActionButton from '../ActionButton';
import CancelOrderDialog from '../CancelOrderDialog';
import './index.scss';

/**
 * The member's unpaid order, for the top of 首页: amount, until when, 去支付 and 取消 (confirmed); nothing when
 * there is none. Read from the server each time the page shows, so it is there after a reload and gone once the
 * order is paid, cancelled or expired anywhere. Quiet on failure: a banner is not worth an error on 首页.
 */
export default function PendingOrderBanner() {
  const [order, setOrder] = useState<PayOrderView | null>(null);
  const load = useCallback(() => {
    getPendingPayOrder().then(
      (answer) => setOrder(answer.order),
      () => undefined,
    );
  }, []);
  useEffect(load, [load]);
  // Back on the page after paying or cancelling elsewhere: ask again.
  useDidShow(load);
  const unpaid = useUnpaidOrder(load);

  if (!order) return null;
  const busy = unpaid.busy?.action ?? null;
  return (
    <View id='pending-order-banner' className='pending-banner' onClick={() => openPage('/pages/orders/index')}>
      <View className='pending-banner__text'>
        <Text className='pending-banner__title'>
          待支付订单 <Text id='pending-order-amount'>{money(order.payableFen)}</Text>
        </Text>
        <Text className='pending-banner__sub'>
          {payByTime(order.expiresAt)} 前支付
          {order.couponName || order.pointsBurned > 0 ? '，优惠已为您保留' : ''}
        </Text>
      </View>
      <View className='pending-banner__actions' onClick={(event) => event.stopPropagation()}>
        <ActionButton
          id='pending-order-cancel'
          className='pending-banner__cancel'
          loading={busy === 'cancel'}
          disabled={busy !== null || undefined}
          onClick={() => unpaid.askCancel(order)}
        >
          取消
        </ActionButton>
        <ActionButton
          id='pending-order-pay'
          className='pending-banner__pay'
          loading={busy === 'resume'}
          disabled={busy !== null || undefined}
          onClick={() => unpaid.resume(order)}
        >
          去支付
        </ActionButton>
      </View>
      <CancelOrderDialog order={unpaid.confirming} onConfirm={unpaid.confirmCancel} onClose={unpaid.closeDialog} />
    </View>
  );
}
