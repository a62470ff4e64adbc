import { useState } from 'react';
import { Text, View } from '@tarojs/components';
import type { MemberOrderView } from '@member/shared';
import ActionButton from '../../components/ActionButton';
import CancelOrderDialog from '../../components/CancelOrderDialog';
import StateView from '../../components/StateView';
import { useUnpaidOrder, type UnpaidOrderRef } from '../../hooks/useUnpaidOrder';
import { openPage } from '../../utils/navigation';
import OrderCard from './OrderCard';
import OrderDetail from './OrderDetail';
import { useMyOrders } from './useMyOrders';
import './index.scss';

/** An unpaid list item as the pay actions take it. */
function unpaidRef(order: MemberOrderView): UnpaidOrderRef {
  return {
    outTradeNo: order.outTradeNo ?? '',
    storeCode: order.storeCode,
    payableFen: order.paidFen,
    couponName: order.couponName,
    couponId: order.couponId,
    pointsBurned: order.pointsBurned,
  };
}

/**
 * 我的订单: what the member paid in the app and at the till, with refunds, newest first, more on 加载更多; tap for
 * the detail. An unpaid order can be paid (去支付) or cancelled (取消订单, confirmed) right here.
 */
export default function OrdersPage() {
  const { state, reload, retry, loadMore } = useMyOrders();
  const [openRef, setOpenRef] = useState<string | null>(null);
  const unpaid = useUnpaidOrder(() => {
    setOpenRef(null);
    reload();
  });
  const busyFor = (order: MemberOrderView) => (unpaid.busy && unpaid.busy.outTradeNo === order.outTradeNo ? unpaid.busy.action : null);

  if (state.kind === 'loading')
    return (
      <View className='page orders-page'>
        <StateView status='loading' idPrefix='orders-page' title='正在加载订单…' />
      </View>
    );
  if (state.kind === 'error')
    return (
      <View className='page orders-page'>
        <StateView status='error' idPrefix='orders-page' title='订单加载失败' message={state.message} onRetry={retry} />
      </View>
    );
  if (state.kind === 'blocked')
    return (
      <View className='page orders-page'>
        <StateView
          status='empty'
          idPrefix='orders-page'
          title='开通会员后查看订单'
          retryText='开通会员'
          onRetry={() => openPage('/pages/join/index')}
        />
      </View>
    );
  if (state.orders.length === 0)
    return (
      <View className='page orders-page'>
        <StateView
          status='empty'
          idPrefix='orders-page'
          title='还没有订单'
          message='在门店出示会员码消费，或在线付款后，订单会显示在这里'
          retryText='去付款'
          onRetry={() => openPage('/pages/pay/index')}
        />
      </View>
    );

  const open = state.orders.find((o) => o.ref === openRef) ?? null;
  return (
    <View className='page orders-page'>
      <View id='orders-list'>
        {state.orders.map((order) => (
          <OrderCard
            key={order.ref}
            order={order}
            busy={busyFor(order)}
            onOpen={() => setOpenRef(order.ref)}
            onResume={() => unpaid.resume(unpaidRef(order))}
            onCancel={() => unpaid.askCancel(unpaidRef(order))}
          />
        ))}
      </View>
      {state.nextCursor ? (
        <ActionButton id='orders-more' className='orders-page__more' loading={state.loadingMore} onClick={loadMore}>
          加载更多
        </ActionButton>
      ) : (
        <Text id='orders-end' className='orders-page__end'>
          没有更多订单了
        </Text>
      )}
      <OrderDetail
        order={open}
        busy={open ? busyFor(open) : null}
        onClose={() => setOpenRef(null)}
        onResume={(order) => unpaid.resume(unpaidRef(order))}
        onCancel={(order) => unpaid.askCancel(unpaidRef(order))}
      />
      <CancelOrderDialog order={unpaid.confirming} onConfirm={unpaid.confirmCancel} onClose={unpaid.closeDialog} />
    </View>
  );
}
