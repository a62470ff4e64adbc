import { useCallback, useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import ActionButton from '../../components/ActionButton';
import type { PayOrderListResponse, PayOrderStatus, PayOrderView, PublicConfig } from '@member/shared';
import { listPayOrders, loadPublicConfig, messageOf } from '../../api';
import ChoiceChips from '../../components/ChoiceChips';
import StateView from '../../components/StateView';
import { useLoader } from '../../hooks/useLoader';
import { businessDateTime } from '../../utils/dates';
import { money, orderStatusText } from '../../utils/pay';
import './index.scss';

type Filter = 'all' | PayOrderStatus;

const FILTERS: ReadonlyArray<{ value: Filter; label: string }> = [
  { value: 'all', label: '全部' },
  { value: 'paid', label: '已支付' },
  { value: 'pending', label: '待支付' },
  { value: 'closed', label: '已关闭' },
  { value: 'flagged', label: '异常' },
];

/** Members' app payments, newest first: find the customer's order to refund it. */
export default function PayOrdersPage() {
  const [filter, setFilter] = useState<Filter>('all');
  const fetchFirst = useCallback(() => listPayOrders(filter === 'all' ? undefined : filter), [filter]);
  // Back from an order (refunded meanwhile) the list reloads quietly.
  const { state, reload, update } = useLoader<PayOrderListResponse>(fetchFirst, { blockedBy: ['FORBIDDEN'] });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState('');
  const [stores, setStores] = useState<PublicConfig['stores']>([]);

  useEffect(() => {
    loadPublicConfig().then(
      (config) => setStores(config.stores),
      () => undefined,
    );
  }, []);

  const loadMore = async () => {
    if (state.kind !== 'ready' || state.data.nextBefore === null) return;
    setLoadingMore(true);
    setMoreError('');
    try {
      const page = await listPayOrders(filter === 'all' ? undefined : filter, state.data.nextBefore);
      update((data) => ({
        orders: [...data.orders, ...page.orders.filter((o) => !data.orders.some((d) => d.outTradeNo === o.outTradeNo))],
        nextBefore: page.nextBefore,
      }));
    } catch (error) {
      setMoreError(messageOf(error));
    } finally {
      setLoadingMore(false);
    }
  };

  if (state.kind === 'blocked') {
    return (
      <View className='page pay-orders-page'>
        <StateView status='empty' idPrefix='pay-orders-page' title='仅限门店员工使用' message='当前微信账号不在门店员工名单中' />
      </View>
    );
  }

  return (
    <View className='page pay-orders-page'>
      <View className='pay-orders-page__filters'>
        <ChoiceChips idPrefix='pay-orders-filter' options={FILTERS} selected={filter} onSelect={setFilter} />
      </View>
      {state.kind === 'loading' ? (
        <StateView status='loading' idPrefix='pay-orders-page' />
      ) : state.kind === 'error' ? (
        <StateView status='error' idPrefix='pay-orders-page' message={state.message} onRetry={() => void reload(false)} />
      ) : state.data.orders.length === 0 ? (
        <StateView
          status='empty'
          idPrefix='pay-orders-page'
          title='暂无支付订单'
          message={filter === 'all' ? '顾客在会员中心付款后会出现在这里' : '没有该状态的订单'}
        />
      ) : (
        <View id='pay-orders-list' className='pay-orders-page__list'>
          {state.data.orders.map((order) => (
            <OrderRow
              key={order.outTradeNo}
              order={order}
              storeName={stores.find((s) => s.code === order.storeCode)?.name ?? `门店 ${order.storeCode}`}
            />
          ))}
          {state.data.nextBefore !== null ? (
            <ActionButton
              id='pay-orders-more'
              className='ghost-button pay-orders-page__more'
              loading={loadingMore}
              disabled={loadingMore || undefined}
              onClick={() => void loadMore()}
            >
              加载更多
            </ActionButton>
          ) : (
            <Text className='pay-orders-page__end'>没有更多了</Text>
          )}
          {moreError ? <Text className='form-error'>{moreError}</Text> : null}
        </View>
      )}
    </View>
  );
}

function OrderRow({ order, storeName }: { order: PayOrderView; storeName: string }) {
  const status = orderStatusText(order);
  return (
    <View
      id={`pay-order-${order.outTradeNo}`}
      className='pay-order-row'
      onClick={() => void Taro.navigateTo({ url: `/staff/pay-order/index?no=${encodeURIComponent(order.outTradeNo)}` })}
    >
      <View className='pay-order-row__main'>
        <Text className='pay-order-row__amount'>{money(order.payableFen)}</Text>
        <Text className='pay-order-row__meta'>
          {businessDateTime(order.paidAt ?? order.createdAt)} · {storeName} · 会员 {order.memberId}
        </Text>
        {order.refundedFen > 0 ? <Text className='pay-order-row__refunded'>已退 {money(order.refundedFen)}</Text> : null}
      </View>
      <Text className={`pay-order-row__status pay-order-row__status--${order.status}`}>{status}</Text>
      <Text className='pay-order-row__arrow'>›</Text>
    </View>
  );
}
