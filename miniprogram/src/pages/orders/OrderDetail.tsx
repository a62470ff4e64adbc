import { Popup } from '@nutui/nutui-react-taro';
import '@nutui/nutui-react-taro/dist/es/packages/popup/style/css';
import { ScrollView, Text, View } from '@tarojs/components';
import { FEN_PER_POINT, zheText, type MemberOrderView } from '@member/shared';
import ActionButton from '../../components/ActionButton';
import { businessDateTime } from '../../utils/dates';
import { memberOrderStatus, ORDER_KIND_NAMES, paidLabel, payByText } from '../../utils/orders';
import { money } from '../../utils/pay';

function Line({ id, label, value, strong = false }: { id?: string; label: string; value: string; strong?: boolean }) {
  return (
    <View className={`order-detail__line${strong ? ' order-detail__line--strong' : ''}`}>
      <Text className='order-detail__key'>{label}</Text>
      <Text id={id} className='order-detail__value'>
        {value}
      </Text>
    </View>
  );
}

/** An order in full, in a bottom sheet: status, the receipt (amount, coupon, points, paid), points earned, refunds. */
export default function OrderDetail(props: {
  order: MemberOrderView | null;
  busy: 'resume' | 'cancel' | null;
  onClose: () => void;
  onResume: (order: MemberOrderView) => void;
  onCancel: (order: MemberOrderView) => void;
}) {
  const { order } = props;
  const status = order ? memberOrderStatus(order) : null;
  return (
    <Popup visible={order !== null} position='bottom' round closeable title='订单详情' onClose={props.onClose}>
      {order && status ? (
        <ScrollView scrollY className='order-detail' id='order-detail'>
          <View className='order-detail__hero'>
            <Text id='order-detail-status' className={`order-detail__status order-card__status--${status.tone}`}>
              {status.text}
            </Text>
            <Text id='order-detail-paid' className='order-detail__paid'>
              {money(order.paidFen)}
            </Text>
            <Text className='order-detail__where'>
              {order.storeName} · {ORDER_KIND_NAMES[order.kind]}
            </Text>
            {order.status === 'pending' && order.expiresAt ? (
              <Text className='order-detail__hint'>{payByText(order.expiresAt)}</Text>
            ) : null}
          </View>

          <View className='order-detail__block'>
            <Line id='order-detail-gross' label='订单金额' value={money(order.grossFen)} />
            {order.memberDiscountFen > 0 ? (
              <Line
                id='order-detail-member-discount'
                label={`会员价（${zheText(order.memberPricePermille)}）`}
                value={`-${money(order.memberDiscountFen)}`}
              />
            ) : null}
            <Line
              label={order.couponName ? `优惠券（${order.couponName}）` : '优惠券'}
              value={order.couponDiscountFen > 0 ? `-${money(order.couponDiscountFen)}` : '未使用'}
            />
            <Line
              label='积分抵扣'
              value={order.pointsBurned > 0 ? `-${money(order.pointsBurned * FEN_PER_POINT)}（${order.pointsBurned} 积分）` : '未使用'}
            />
            <Line label={paidLabel(order)} value={money(order.paidFen)} strong />
            {order.pointsEarned > 0 ? <Line label='获得积分' value={`+${order.pointsEarned}`} /> : null}
          </View>

          {order.refunds.length > 0 ? (
            <View id='order-detail-refunds' className='order-detail__block'>
              <Text className='order-detail__title'>退款</Text>
              {order.refunds.map((refund, index) => (
                <Line
                  key={`${refund.at}-${index}`}
                  label={`${businessDateTime(refund.at)}${refund.status === 'processing' ? ' · 退款中' : ''}`}
                  value={money(refund.amountFen)}
                />
              ))}
            </View>
          ) : null}

          <View className='order-detail__block'>
            <Line label='下单时间' value={businessDateTime(order.at)} />
            {order.paidAt && order.kind === 'app' ? <Line label='支付时间' value={businessDateTime(order.paidAt)} /> : null}
            {order.outTradeNo ? <Line label='订单编号' value={order.outTradeNo} /> : null}
            <Line label='支付方式' value={order.kind === 'app' ? '微信支付' : '门店收银台'} />
          </View>

          {order.status === 'pending' ? (
            <View className='order-card__actions order-detail__actions'>
              <ActionButton
                id='order-detail-cancel'
                className='order-card__cancel'
                loading={props.busy === 'cancel'}
                disabled={props.busy !== null || undefined}
                onClick={() => props.onCancel(order)}
              >
                取消订单
              </ActionButton>
              <ActionButton
                id='order-detail-pay'
                className='order-card__pay'
                loading={props.busy === 'resume'}
                disabled={props.busy !== null || undefined}
                onClick={() => props.onResume(order)}
              >
                去支付
              </ActionButton>
            </View>
          ) : null}
        </ScrollView>
      ) : null}
    </Popup>
  );
}
