import { useCallback, useEffect, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { errorMessage, type CreatePayOrderResponse, type PayOrderView, type PublicConfig } from '@member/shared';
import { cancelPayOrder, createPayOrder, getPendingPayOrder, messageOf, outcomeUnknown, PendingKeys, resumePayOrder } from '../../api';
import platform from '../../platform';
import type { PayQuote } from './usePayQuote';

/**
 * The order: created from the quote under one idempotency key per choice of options, paid in WeChat's cashier.
 * Closing the cashier leaves it unpaid (it holds the coupon and points): the page shows it, found again from the
 * server after a reload, to resume (fresh payment parameters from the server) or cancel (after a confirmation).
 */
export function usePayOrder(config: PublicConfig | null, pay: PayQuote) {
  const [pending, setPending] = useState<PayOrderView | null>(null);
  const [busy, setBusy] = useState<'submit' | 'resume' | 'cancel' | null>(null);
  const [error, setError] = useState('');
  const keys = useRef(new PendingKeys()).current;

  // An order left unpaid before a reload (or on another page) is still the member's to pay or cancel.
  useEffect(() => {
    if (!config?.payEnabled) return;
    getPendingPayOrder().then(
      (answer) => setPending((current) => current ?? answer.order),
      () => undefined,
    );
  }, [config]);

  const storeName = useCallback((code: string) => config?.stores.find((s) => s.code === code)?.name ?? code, [config]);

  const toResult = (outTradeNo: string) => {
    void Taro.redirectTo({ url: `/pages/pay-result/index?no=${encodeURIComponent(outTradeNo)}` });
  };

  /** Opens the cashier; closing it keeps the order payable (the page offers to pay or cancel it). */
  const openCashier = async (answer: CreatePayOrderResponse) => {
    if (!config || !answer.payment) return;
    try {
      const outcome = await platform.requestPayment(answer.payment, {
        emulatorBaseUrl: config.emulatorBaseUrl,
        amountFen: answer.order.payableFen,
        storeName: storeName(answer.order.storeCode),
      });
      if (outcome === 'paid') return toResult(answer.order.outTradeNo);
      setPending(answer.order);
    } catch (failure) {
      setPending(answer.order);
      setError(messageOf(failure, '支付未完成，请稍后重试'));
    }
  };

  const submit = async () => {
    const { options, quote, problem, couponId } = pay;
    if (!options || !quote?.ok || problem || pending || busy) return;
    setError('');
    const request = {
      amountFen: options.amountFen,
      storeCode: options.storeCode,
      couponId: couponId ?? undefined,
      pointsToBurn: quote.pointsBurned || undefined,
    };
    // The same choices again (a retry after a lost answer) carry the same key: the server answers the same order.
    const action = `checkout-${request.storeCode}-${request.amountFen}-${couponId ?? 0}-${quote.pointsBurned}`;
    setBusy('submit');
    try {
      let created: CreatePayOrderResponse;
      try {
        created = await createPayOrder({ ...request, idempotencyKey: keys.keyFor(action) });
        keys.settle(action);
      } catch (failure) {
        keys.settle(action, failure);
        setError(messageOf(failure));
        // The coupon may have been used elsewhere or the points spent meanwhile: show what applies now.
        if (!outcomeUnknown(failure)) pay.reload();
        return;
      }
      if (created.order.status === 'paid') return toResult(created.order.outTradeNo);
      if (!created.payment) {
        setError(errorMessage('PAY_ORDER_CLOSED'));
        pay.reload();
        return;
      }
      await openCashier(created);
    } finally {
      setBusy(null);
    }
  };

  const resume = async () => {
    if (!pending) return;
    setError('');
    setBusy('resume');
    try {
      // Paid meanwhile (another tap, a late notification) or closed? The server answers before the cashier opens.
      const answer = await resumePayOrder(pending.outTradeNo);
      if (answer.order.status === 'paid') return toResult(answer.order.outTradeNo);
      if (answer.order.status !== 'pending' || !answer.payment) {
        setPending(null);
        setError(errorMessage('PAY_ORDER_CLOSED'));
        pay.reload();
        return;
      }
      await openCashier(answer);
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(null);
    }
  };

  const cancel = async () => {
    if (!pending) return;
    setError('');
    setBusy('cancel');
    try {
      const order = await cancelPayOrder(pending.outTradeNo);
      if (order.status === 'paid') return toResult(order.outTradeNo);
      if (order.status === 'pending') {
        setError('您正在微信中支付此订单，暂时无法取消');
        return;
      }
      setPending(null);
      // The coupon and points are free again: the form is usable with a new checkout (a new key).
      pay.reload();
      void Taro.showToast({ title: '订单已取消，优惠券和积分已退回', icon: 'none' });
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(null);
    }
  };

  return { pending, busy, error, setError, submit, resume, cancel, storeName };
}
