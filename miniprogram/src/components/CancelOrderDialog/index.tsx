import { Dialog } from '@nutui/nutui-react-taro';
import '@nutui/nutui-react-taro/dist/es/packages/dialog/style/css';
import { Text, View } from '@tarojs/components';
import type { PayOrderView } from '@member/shared';
import { money } from '../../utils/pay';
import './index.scss';

/** What cancelling gives back, said before the member confirms. */
function releaseText(order: Pick<PayOrderView, 'couponName' | 'couponId' | 'pointsBurned'>): string {
  const coupon = order.couponName ? `「${order.couponName}」` : order.couponId ? '优惠券' : '';
  const back = [coupon ? `${coupon}退回券包` : '', order.pointsBurned > 0 ? `${order.pointsBurned} 积分退回账户` : ''].filter(Boolean);
  return back.length ? `取消后，${back.join('，')}。` : '取消后如需购买，请重新下单。';
}

/**
 * 取消订单, confirmed in a NutUI Dialog: an unpaid order holds the member's coupon and points, so a stray tap
 * must not close it. `order` null: closed.
 */
export default function CancelOrderDialog({
  order,
  onConfirm,
  onClose,
}: {
  order: Pick<PayOrderView, 'payableFen' | 'couponName' | 'couponId' | 'pointsBurned'> | null;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Dialog
      className='cancel-order-dialog'
      visible={order !== null}
      title='取消这笔订单？'
      confirmText='取消订单'
      cancelText='再想想'
      onConfirm={() => {
        onClose();
        onConfirm();
      }}
      onCancel={onClose}
      onClose={onClose}
    >
      {order ? (
        <View id='cancel-order-dialog' className='cancel-order-dialog__body'>
          <Text className='cancel-order-dialog__amount'>待支付 {money(order.payableFen)}</Text>
          <Text className='cancel-order-dialog__text'>{releaseText(order)}</Text>
        </View>
      ) : null}
    </Dialog>
  );
}
