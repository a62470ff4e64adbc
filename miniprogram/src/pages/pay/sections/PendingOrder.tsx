import { useState } from 'react';
import { Text, View } from '@tarojs/components';
import type { PayOrderView } from '@member/shared';
import ActionButton from '../../../components/ActionButton';
import CancelOrderDialog from '../../../components/CancelOrderDialog';
import { businessDate, businessDateTime } from '../../../utils/dates';
import { money } from '../../../utils/pay';

/** What the unpaid order holds for the member, and until when it can be paid. */
export function pendingText(order: PayOrderView): string {
  const held = [
    order.couponName ? `「${order.couponName}」` : order.couponId ? '优惠券' : '',
    order.pointsBurned > 0 ? `${order.pointsBurned} 积分` : '',
  ]
    .filter(Boolean)
    .join('和');
  // Today's expiry reads as a time ("15:23"); one on another day keeps its date.
  const expires = businessDateTime(order.expiresAt);
  const until = `请在 ${expires.startsWith(businessDate(new Date())) ? expires.slice(11) : expires} 前完成支付`;
  return held ? `已为本单保留${held}，${until}；取消订单后退回。` : `${until}。`;
}

/** The member's unpaid order on the pay page: 继续支付, or 取消订单 after a confirmation. */
export default function PendingOrder(props: {
  order: PayOrderView;
  busy: 'submit' | 'resume' | 'cancel' | null;
  onResume: () => void;
  onCancel: () => void;
}) {
  const { order, busy } = props;
  const [confirming, setConfirming] = useState(false);
  return (
    <View id='pay-pending' className='pay-pending'>
      <Text className='pay-pending__title'>订单待支付 {money(order.payableFen)}</Text>
      <Text className='pay-pending__text'>{pendingText(order)}</Text>
      <View className='pay-pending__actions'>
        <ActionButton
          id='pay-cancel-order'
          className='pay-pending__cancel'
          loading={busy === 'cancel'}
          disabled={busy !== null || undefined}
          onClick={() => setConfirming(true)}
        >
          取消订单
        </ActionButton>
        <ActionButton
          id='pay-resume'
          className='pay-pending__resume'
          loading={busy === 'resume'}
          disabled={busy !== null || undefined}
          onClick={props.onResume}
        >
          继续支付
        </ActionButton>
      </View>
      <CancelOrderDialog order={confirming ? order : null} onConfirm={props.onCancel} onClose={() => setConfirming(false)} />
    </View>
  );
}
