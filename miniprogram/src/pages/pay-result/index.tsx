import { useCallback, useEffect, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import ActionButton from '../../components/ActionButton';
import { FEN_PER_POINT, zheText, type PayOrderView, type PublicConfig } from '@member/shared';
import { ensureSession, getPayOrder, loadPublicConfig, messageOf } from '../../api';
import StateView from '../../components/StateView';
import { businessDateTime } from '../../utils/dates';
import { backToHome, replacePage } from '../../utils/navigation';
import { money, pollUntil } from '../../utils/pay';
import PurchaseRewards from '../../components/PurchaseRewards';
import './index.scss';

/** WeChat usually notifies within a second; the page asks (with confirm=1) every second for up to 30 s. */
const POLL_INTERVAL_MS = 1000;
const POLL_TIMEOUT_MS = 30_000;

type ResultState =
  | { kind: 'confirming' }
  | { kind: 'settled'; order: PayOrderView }
  /** Still pending after the polling window: the notification or the reconciliation job will settle it. */
  | { kind: 'unconfirmed'; order: PayOrderView | null }
  | { kind: 'error'; message: string };

function orderNoFromRoute(): string {
  const raw = Taro.getCurrentInstance().router?.params?.no ?? '';
  const no = decodeURIComponent(raw);
  return /^[0-9A-Za-z_\-|*]{6,32}$/.test(no) ? no : '';
}

const backToCard = backToHome;

/** After the cashier: the server's word on the order (it asks WeChat itself while pending), then the receipt. */
export default function PayResultPage() {
  const outTradeNo = useRef(orderNoFromRoute()).current;
  const [state, setState] = useState<ResultState>({ kind: 'confirming' });
  const [stores, setStores] = useState<PublicConfig['stores']>([]);
  const closed = useRef(false);

  useEffect(() => {
    closed.current = false;
    return () => {
      closed.current = true;
    };
  }, []);

  const confirm = useCallback(async () => {
    if (!outTradeNo) {
      setState({ kind: 'error', message: '未找到该订单' });
      return;
    }
    setState({ kind: 'confirming' });
    try {
      await ensureSession();
      void loadPublicConfig().then(
        (config) => setStores(config.stores),
        () => undefined,
      );
      const result = await pollUntil(
        () => getPayOrder(outTradeNo, true),
        (answer) => answer.order.status !== 'pending',
        {
          intervalMs: POLL_INTERVAL_MS,
          timeoutMs: POLL_TIMEOUT_MS,
          stopped: () => closed.current,
        },
      );
      if (closed.current) return;
      if (result?.final) setState({ kind: 'settled', order: result.answer.order });
      else setState({ kind: 'unconfirmed', order: result?.answer.order ?? null });
    } catch (failure) {
      if (!closed.current) setState({ kind: 'error', message: messageOf(failure) });
    }
  }, [outTradeNo]);

  useEffect(() => {
    void confirm();
  }, [confirm]);

  if (state.kind === 'confirming') {
    return (
      <View className='page pay-result-page'>
        <StateView status='loading' idPrefix='pay-result' title='支付结果确认中…' message='正在向微信支付确认，请勿重复付款' />
      </View>
    );
  }
  if (state.kind === 'error') {
    return (
      <View className='page pay-result-page'>
        <StateView
          status='error'
          idPrefix='pay-result'
          title='支付结果查询失败'
          message={state.message}
          retryText='重新查询'
          onRetry={() => void confirm()}
        />
        <ActionButton id='pay-result-card' className='ghost-button pay-result-page__back' onClick={backToCard}>
          返回首页
        </ActionButton>
      </View>
    );
  }
  if (state.kind === 'unconfirmed') {
    return (
      <View className='page pay-result-page'>
        <View className='pay-result-head pay-result-head--waiting'>
          <View className='pay-result-head__icon'>
            <Text>…</Text>
          </View>
          <Text id='pay-result-status' className='pay-result-head__title'>
            支付结果确认中…
          </Text>
          <Text className='pay-result-head__sub'>暂未收到微信支付的结果。如已扣款，积分稍后到账；请勿重复付款。</Text>
          {state.order ? <Text className='pay-result-head__sub'>订单号 {state.order.outTradeNo}</Text> : null}
        </View>
        <ActionButton id='pay-result-retry' className='primary-button pay-result-page__back' onClick={() => void confirm()}>
          刷新结果
        </ActionButton>
        <ActionButton id='pay-result-card' className='ghost-button pay-result-page__back' onClick={backToCard}>
          返回首页
        </ActionButton>
      </View>
    );
  }

  const { order } = state;
  const storeName = stores.find((s) => s.code === order.storeCode)?.name ?? order.storeCode;

  if (order.status !== 'paid') {
    const flagged = order.status === 'flagged';
    return (
      <View className='page pay-result-page'>
        <View className={`pay-result-head pay-result-head--${flagged ? 'flagged' : 'closed'}`}>
          <View className='pay-result-head__icon'>
            <Text>{flagged ? '!' : '×'}</Text>
          </View>
          <Text id='pay-result-status' className='pay-result-head__title'>
            {flagged ? '支付异常，请联系门店' : '订单已关闭'}
          </Text>
          <Text className='pay-result-head__sub'>
            {flagged ? '门店核实后会为您处理退款，请保留此页面或订单号' : '本单未完成支付，优惠券和积分已退回'}
          </Text>
          <Text className='pay-result-head__sub'>订单号 {order.outTradeNo}</Text>
        </View>
        <ActionButton id='pay-result-card' className='primary-button pay-result-page__back' onClick={backToCard}>
          返回首页
        </ActionButton>
      </View>
    );
  }

  const purchase = order.purchase;
  return (
    <View className='page pay-result-page'>
      <View className='pay-result-head pay-result-head--paid'>
        <View className='pay-result-head__icon'>
          <Text>✓</Text>
        </View>
        <Text id='pay-result-status' className='pay-result-head__title'>
          支付成功
        </Text>
        <Text className='pay-result-head__store'>{storeName}</Text>
        <Text id='pay-result-paid' className='pay-result-head__amount'>
          {money(order.payableFen)}
        </Text>
        {order.couponDiscountFen + order.pointsBurned > 0 ? (
          <Text className='pay-result-head__saved'>本单共优惠 {money(order.couponDiscountFen + order.pointsBurned * FEN_PER_POINT)}</Text>
        ) : null}
      </View>

      {purchase ? (
        <View className='pay-result-points'>
          <View className='pay-result-points__cell'>
            <Text id='pay-result-points' className='pay-result-points__value pay-result-points__value--earned'>
              +{purchase.pointsEarned}
            </Text>
            <Text className='pay-result-points__label'>
              {purchase.bonusPermille > 1000 ? `本单积分（${purchase.bonusPermille / 1000} 倍）` : '本单积分'}
            </Text>
          </View>
          <View className='pay-result-points__cell'>
            <Text id='pay-result-balance' className='pay-result-points__value'>
              {purchase.member.pointsBalance}
            </Text>
            <Text className='pay-result-points__label'>积分余额</Text>
          </View>
        </View>
      ) : null}

      {purchase ? <PurchaseRewards rewards={purchase.rewards} id='pay-result-rewards' /> : null}

      <View className='section pay-result-detail'>
        <Line label='订单金额' value={money(order.grossFen)} />
        <View id='pay-result-discounts'>
          {order.memberDiscountFen > 0 ? (
            <Line label={`会员价 · ${zheText(order.memberPricePermille)}`} value={`-${money(order.memberDiscountFen)}`} />
          ) : null}
          {order.couponDiscountFen > 0 ? (
            <Line label={`优惠券 · ${order.couponName ?? '优惠券'}`} value={`-${money(order.couponDiscountFen)}`} />
          ) : null}
          {order.pointsBurned > 0 ? (
            <Line label={`积分抵扣 · ${order.pointsBurned} 积分`} value={`-${money(order.pointsBurned * FEN_PER_POINT)}`} />
          ) : null}
          {order.memberDiscountFen === 0 && order.couponDiscountFen === 0 && order.pointsBurned === 0 ? (
            <Line label='优惠' value='未使用优惠' />
          ) : null}
        </View>
        <Line label='实付' value={money(order.payableFen)} strong />
        {purchase ? <Line label='会员等级' value={purchase.member.tierName} /> : null}
        <Line label='支付时间' value={order.paidAt ? businessDateTime(order.paidAt) : '—'} />
        <Line label='订单号' value={order.outTradeNo} small />
      </View>

      <ActionButton id='pay-result-card' className='primary-button pay-result-page__back' onClick={backToCard}>
        返回首页
      </ActionButton>
      <ActionButton
        id='pay-result-orders'
        className='ghost-button pay-result-page__orders'
        onClick={() => replacePage('/pages/orders/index')}
      >
        查看订单
      </ActionButton>
    </View>
  );
}

function Line({ label, value, strong = false, small = false }: { label: string; value: string; strong?: boolean; small?: boolean }) {
  const valueClass =
    'pay-result-detail__value' + (strong ? ' pay-result-detail__value--strong' : '') + (small ? ' pay-result-detail__value--small' : '');
  return (
    <View className='pay-result-detail__line'>
      <Text className='pay-result-detail__key'>{label}</Text>
      <Text className={valueClass}>{value}</Text>
    </View>
  );
}
