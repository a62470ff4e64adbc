import { Text, View } from '@tarojs/components';
import type { MemberOrderView } from '@member/shared';
import ActionButton from '../../components/ActionButton';
import { businessDateTime } from '../../utils/dates';
import { discountsText, memberOrderStatus, ORDER_KIND_NAMES, paidLabel, payByText } from '../../utils/orders';
import { money } from '../../utils/pay';

/** One order in the list: where, status, what was paid and what came off; an unpaid one with 取消订单 / 去支付. */
export default function OrderCard(props: {
  order: MemberOrderView;
  busy: 'resume' | 'cancel' | null;
  onOpen: () => void;
  onResume: () => void;
  onCancel: () => void;
}) {
  const { order, busy } = props;
  const status = memberOrderStatus(order);
  const discounts = discountsText(order);
  const pending = order.status === 'pending';
  return (
    <View id={`order-${order.ref}`} className={`order-card order-card--${status.tone}`} onClick={props.onOpen}>
      <View className='order-card__head'>
        <View className='order-card__where'>
          <Text className='order-card__store'>{order.storeName}</Text>
          <Text className={`order-card__kind order-card__kind--${order.kind}`}>{ORDER_KIND_NAMES[order.kind]}</Text>
        </View>
        <Text id={`order-${order.ref}-status`} className={`order-card__status order-card__status--${status.tone}`}>
          {status.text}
        </Text>
      </View>
      <View className='order-card__body'>
        <View className='order-card__lines'>
          <Text className='order-card__line'>订单金额 {money(order.grossFen)}</Text>
          {discounts ? <Text className='order-card__line'>{discounts}</Text> : null}
          <Text className='order-card__time'>{pending && order.expiresAt ? payByText(order.expiresAt) : businessDateTime(order.at)}</Text>
        </View>
        <View className='order-card__money'>
          <Text className='order-card__paid-label'>{paidLabel(order)}</Text>
          <Text id={`order-${order.ref}-paid`} className='order-card__paid'>
            {money(order.paidFen)}
          </Text>
        </View>
      </View>
      {order.refundedFen > 0 ? (
        <Text id={`order-${order.ref}-refund`} className='order-card__refund'>
          已退款 {money(order.refundedFen)}
        </Text>
      ) : null}
      {pending ? (
        <View className='order-card__actions' onClick={(event) => event.stopPropagation()}>
          <ActionButton
            id={`order-${order.ref}-cancel`}
            className='order-card__cancel'
            loading={busy === 'cancel'}
            disabled={busy !== null || undefined}
            onClick={props.onCancel}
          >
            取消订单
          </ActionButton>
          <ActionButton
            id={`order-${order.ref}-pay`}
            className='order-card__pay'
            loading={busy === 'resume'}
            disabled={busy !== null || undefined}
            onClick={props.onResume}
          >
            去支付
          </ActionButton>
        </View>
      ) : null}
    </View>
  );
}
