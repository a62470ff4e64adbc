import { useCallback, useEffect, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import ActionButton from '../../components/ActionButton';
import { FEN_PER_POINT, zheText, type PayOrderView, type PayRefundView, type PublicConfig } from '@member/shared';
import { getStaffPayOrder, loadPublicConfig, messageOf, outcomeUnknown, PendingKeys, refundPayOrder } from '../../api';
import StateView from '../../components/StateView';
import { useLoader } from '../../hooks/useLoader';
import { businessDateTime } from '../../utils/dates';
import {
  halfOf,
  hasRefundInProgress,
  money,
  orderStatusText,
  PAY_REFUND_STATUS_NAMES,
  pollUntil,
  readRefundInput,
  refundableFen,
  yuanInputText,
} from '../../utils/pay';
import './index.scss';

/** WeChat confirms a refund asynchronously (seconds in production, ~0.3 s in tests): ask until it has. */
const REFUND_POLL_MS = 500;
const REFUND_POLL_TIMEOUT_MS = 20_000;

function orderNoFromRoute(): string {
  const no = decodeURIComponent(Taro.getCurrentInstance().router?.params?.no ?? '');
  return /^[0-9A-Za-z_\-|*]{6,32}$/.test(no) ? no : '';
}

/**
 * One app order for the clerk: what was paid and how (coupon, points), its refunds, and a refund form. A refund
 * attempt keeps its out_refund_no until the server answers, so a retry after a lost answer never refunds twice.
 */
export default function PayOrderPage() {
  const outTradeNo = useRef(orderNoFromRoute()).current;
  const fetchOrder = useCallback(() => getStaffPayOrder(outTradeNo), [outTradeNo]);
  const { state, reload, update } = useLoader<PayOrderView>(fetchOrder, { blockedBy: ['FORBIDDEN', 'PAY_ORDER_NOT_FOUND'] });
  const [amountText, setAmountText] = useState('');
  const [busy, setBusy] = useState(false);
  const [waiting, setWaiting] = useState(false);
  const [error, setError] = useState('');
  /** A refund sent whose answer never came: retried as it was (same amount, same number). */
  const [unanswered, setUnanswered] = useState<{ amountFen: number } | null>(null);
  const keys = useRef(new PendingKeys()).current;
  const closed = useRef(false);
  const [stores, setStores] = useState<PublicConfig['stores']>([]);

  useEffect(() => {
    loadPublicConfig().then(
      (config) => setStores(config.stores),
      () => undefined,
    );
  }, []);

  useEffect(() => {
    closed.current = false;
    return () => {
      closed.current = true;
    };
  }, []);

  /** Follows the order until no refund is processing any more (WeChat's notification settles it). */
  const followRefunds = useCallback(async () => {
    setWaiting(true);
    try {
      const result = await pollUntil(fetchOrder, (order) => !hasRefundInProgress(order), {
        intervalMs: REFUND_POLL_MS,
        timeoutMs: REFUND_POLL_TIMEOUT_MS,
        stopped: () => closed.current,
        onAnswer: (order) => update(() => order),
      });
      if (result && !result.final && !closed.current) void Taro.showToast({ title: '退款处理中，稍后刷新查看结果', icon: 'none' });
    } catch {
      // The order on screen stays; pull down to refresh.
    } finally {
      if (!closed.current) setWaiting(false);
    }
  }, [fetchOrder, update]);

  const order = state.kind === 'ready' ? state.data : null;
  const refundable = order ? refundableFen(order) : 0;

  // Opened while a refund is still with WeChat: follow it.
  const followed = useRef(false);
  useEffect(() => {
    if (order && !followed.current && hasRefundInProgress(order)) {
      followed.current = true;
      void followRefunds();
    }
  }, [order, followRefunds]);

  const submit = async () => {
    if (!order) return;
    setError('');
    let amountFen: number;
    if (unanswered) {
      amountFen = unanswered.amountFen;
    } else {
      const reading = readRefundInput(amountText, refundable);
      if (!reading.ok) return setError(reading.message);
      amountFen = reading.fen;
      const confirmed = await Taro.showModal({
        title: '确认退款',
        content: `退款 ${money(amountFen)} 将原路退回顾客的微信支付账户，本单积分按比例扣回，提交后不可撤销。`,
        confirmText: '确认退款',
        cancelText: '再想想',
      });
      if (!confirmed.confirm) return;
    }
    const action = `refund-${order.outTradeNo}`;
    setBusy(true);
    try {
      const updated = await refundPayOrder(order.outTradeNo, { amountFen, outRefundNo: keys.keyFor(action) });
      keys.settle(action);
      setUnanswered(null);
      setAmountText('');
      update(() => updated);
      setBusy(false);
      if (hasRefundInProgress(updated)) await followRefunds();
    } catch (failure) {
      keys.settle(action, failure);
      if (outcomeUnknown(failure)) {
        setUnanswered({ amountFen });
        setError(`${messageOf(failure)}。退款结果未知，请点击「重试退款」（使用同一退款单号，不会重复退款）`);
      } else {
        setUnanswered(null);
        setError(messageOf(failure));
        void reload(true);
      }
    } finally {
      setBusy(false);
    }
  };

  if (state.kind === 'loading') {
    return (
      <View className='page pay-order-page'>
        <StateView status='loading' idPrefix='pay-order-page' />
      </View>
    );
  }
  if (state.kind === 'error') {
    return (
      <View className='page pay-order-page'>
        <StateView status='error' idPrefix='pay-order-page' message={state.message} onRetry={() => void reload(false)} />
      </View>
    );
  }
  if (state.kind === 'blocked') {
    return (
      <View className='page pay-order-page'>
        <StateView
          status='empty'
          idPrefix='pay-order-page'
          title={state.code === 'FORBIDDEN' ? '仅限门店员工使用' : '未找到该订单'}
          message={state.code === 'FORBIDDEN' ? '当前微信账号不在门店员工名单中' : `订单号 ${outTradeNo || '无效'}`}
        />
      </View>
    );
  }

  const view = state.data;
  // A paid order, or one WeChat took payment for after it was closed here (flagged with its transaction, nothing
  // granted): its money goes back the same way, and moves no points or coupon.
  const takesRefunds = view.status === 'paid' || (view.status === 'flagged' && view.transactionId !== null && view.purchase === null);
  const canRefund = takesRefunds && refundable > 0;
  return (
    <View className='page pay-order-page'>
      <View className='pay-order-hero'>
        <View className='pay-order-hero__row'>
          <Text className='pay-order-hero__label'>实付</Text>
          <Text id='pay-order-status' className={`pay-order-hero__status pay-order-hero__status--${view.status}`}>
            {orderStatusText(view)}
          </Text>
        </View>
        <Text id='pay-order-payable' className='pay-order-hero__amount'>
          {money(view.payableFen)}
        </Text>
        <Text className='pay-order-hero__meta'>
          {stores.find((s) => s.code === view.storeCode)?.name ?? `门店 ${view.storeCode}`} · 会员编号 {view.memberId}
        </Text>
      </View>

      <View className='section'>
        <Line id='pay-order-gross' label='订单金额' value={money(view.grossFen)} />
        {view.memberDiscountFen > 0 ? (
          <Line
            id='pay-order-member-discount'
            label={`会员价 · ${zheText(view.memberPricePermille)}`}
            value={`-${money(view.memberDiscountFen)}`}
          />
        ) : null}
        <Line
          id='pay-order-coupon'
          label={view.couponName ? `优惠券 · ${view.couponName}` : '优惠券'}
          value={view.couponDiscountFen > 0 ? `-${money(view.couponDiscountFen)}` : '未使用'}
        />
        <Line
          id='pay-order-points'
          label='积分抵扣'
          value={view.pointsBurned > 0 ? `-${money(view.pointsBurned * FEN_PER_POINT)}（${view.pointsBurned} 积分）` : '未使用'}
        />
        <Line label='实付' value={money(view.payableFen)} strong />
        <Line id='pay-order-refunded' label='已退款' value={money(view.refundedFen)} />
        {takesRefunds ? <Line id='pay-order-refundable' label='可退金额' value={money(refundable)} /> : null}
        {view.purchase ? <Line label='本单积分' value={`+${view.purchase.pointsEarned}`} /> : null}
        <Line label={view.paidAt ? '支付时间' : '下单时间'} value={businessDateTime(view.paidAt ?? view.createdAt)} />
        <Line label='订单号' value={view.outTradeNo} small />
        {view.transactionId ? <Line label='微信支付单号' value={view.transactionId} small /> : null}
        {view.flagReason ? <Line label='异常原因' value={view.flagReason} small /> : null}
      </View>

      {view.refunds.length > 0 ? (
        <View id='pay-order-refunds' className='section'>
          <Text className='section-title'>退款记录</Text>
          {view.refunds.map((refund) => (
            <RefundRow key={refund.outRefundNo} refund={refund} />
          ))}
        </View>
      ) : null}

      {canRefund ? (
        <View id='refund-form' className='section'>
          <Text className='section-title'>退款</Text>
          <Text className='pay-order-page__label'>退款金额（元，最多可退 {money(refundable)}）</Text>
          <View className='pay-order-page__row'>
            <View className='pay-order-page__amount'>
              <Text className='pay-order-page__symbol'>¥</Text>
              <Input
                id='refund-amount'
                className='pay-order-page__input'
                type='digit'
                placeholder='部分或全部'
                maxlength={12}
                value={unanswered ? yuanInputText(unanswered.amountFen) : amountText}
                disabled={busy || unanswered !== null}
                onInput={(e) => {
                  setAmountText(e.detail.value);
                  setError('');
                }}
              />
            </View>
            <ActionButton
              id='refund-half'
              className='pay-order-page__quick'
              disabled={busy || unanswered !== null || halfOf(refundable) === 0 || undefined}
              onClick={() => setAmountText(yuanInputText(halfOf(refundable)))}
            >
              退一半
            </ActionButton>
            <ActionButton
              id='refund-full'
              className='pay-order-page__quick'
              disabled={busy || unanswered !== null || undefined}
              onClick={() => setAmountText(yuanInputText(refundable))}
            >
              全额
            </ActionButton>
          </View>
          <ActionButton
            id='refund-submit'
            className='primary-button pay-order-page__submit'
            loading={busy}
            disabled={busy || undefined}
            onClick={() => void submit()}
          >
            {unanswered ? `重试退款 ${money(unanswered.amountFen)}` : '退款'}
          </ActionButton>
          {error ? (
            <Text id='refund-error' className='form-error'>
              {error}
            </Text>
          ) : null}
        </View>
      ) : takesRefunds && !waiting ? (
        <Text id='pay-order-fully-refunded' className='pay-order-page__done'>
          本单已全额退款
        </Text>
      ) : null}

      {waiting ? (
        <Text id='refund-waiting' className='pay-order-page__waiting'>
          退款处理中，等待微信支付确认…
        </Text>
      ) : null}
    </View>
  );
}

function RefundRow({ refund }: { refund: PayRefundView }) {
  const effects = [
    refund.pointsClawed > 0 ? `扣回 ${refund.pointsClawed} 积分` : '',
    refund.pointsRestored > 0 ? `退回抵扣积分 ${refund.pointsRestored}` : '',
    refund.couponRestored ? '优惠券已退回' : '',
    // WeChat refunded it but it conflicts with the sale: nothing was applied; a person resolves it.
    refund.status === 'flagged' ? `需人工处理：${refund.flagReason ?? ''}` : '',
  ].filter(Boolean);
  return (
    <View id={`refund-${refund.outRefundNo}`} className='refund-row'>
      <View className='refund-row__main'>
        <Text className='refund-row__amount'>{money(refund.amountFen)}</Text>
        <Text className='refund-row__meta'>{businessDateTime(refund.succeededAt ?? refund.createdAt)}</Text>
        {effects.length > 0 ? <Text className='refund-row__meta'>{effects.join('，')}</Text> : null}
      </View>
      <Text className={`refund-row__status refund-row__status--${refund.status}`}>{PAY_REFUND_STATUS_NAMES[refund.status]}</Text>
    </View>
  );
}

function Line({
  id,
  label,
  value,
  strong = false,
  small = false,
}: {
  id?: string;
  label: string;
  value: string;
  strong?: boolean;
  small?: boolean;
}) {
  return (
    <View className='pay-order-line'>
      <Text className='pay-order-line__key'>{label}</Text>
      <Text
        id={id}
        className={`pay-order-line__value${strong ? ' pay-order-line__value--strong' : ''}${small ? ' pay-order-line__value--small' : ''}`}
      >
        {value}
      </Text>
    </View>
  );
}
