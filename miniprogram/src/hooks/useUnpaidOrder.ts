import { useState } from 'react';
import Taro from '@tarojs/taro';
import { errorMessage } from '@member/shared';
import { cancelPayOrder, loadPublicConfig, messageOf, resumePayOrder } from '../api';
import platform from '../platform';
import { openPage } from '../utils/navigation';

/** What the actions need of an unpaid order (a 我的订单 item or the pending order's view). */
export interface UnpaidOrderRef {
  outTradeNo: string;
  storeCode: string;
  payableFen: number;
  couponName: string | null;
  couponId: number | null;
  pointsBurned: number;
}

/**
 * 去支付 and 取消订单 for the member's unpaid order, outside the pay page (我的订单, the banner on 首页): resume
 * asks the server for fresh payment parameters (it reuses or renews the prepay) and opens WeChat's cashier; cancel
 * waits for the member to confirm in the dialog (`confirming`). `onChanged` runs when the order's state moved
 * (cancelled, found closed, or paid), so the caller reloads from the server.
 */
export function useUnpaidOrder(onChanged: () => void) {
  const [busy, setBusy] = useState<{ outTradeNo: string; action: 'resume' | 'cancel' } | null>(null);
  const [confirming, setConfirming] = useState<UnpaidOrderRef | null>(null);

  const toast = (title: string) => void Taro.showToast({ title, icon: 'none' });

  const resume = async (order: UnpaidOrderRef) => {
    if (busy) return;
    setBusy({ outTradeNo: order.outTradeNo, action: 'resume' });
    try {
      const [config, answer] = await Promise.all([loadPublicConfig(), resumePayOrder(order.outTradeNo)]);
      if (answer.order.status === 'paid') {
        onChanged();
        return openPage(`/pages/pay-result/index?no=${encodeURIComponent(order.outTradeNo)}`);
      }
      if (answer.order.status !== 'pending' || !answer.payment) {
        toast(errorMessage('PAY_ORDER_CLOSED'));
        return onChanged();
      }
      const outcome = await platform.requestPayment(answer.payment, {
        emulatorBaseUrl: config.emulatorBaseUrl,
        amountFen: answer.order.payableFen,
        storeName: config.stores.find((s) => s.code === answer.order.storeCode)?.name ?? answer.order.storeCode,
      });
      if (outcome === 'paid') {
        onChanged();
        openPage(`/pages/pay-result/index?no=${encodeURIComponent(order.outTradeNo)}`);
      }
    } catch (failure) {
      toast(messageOf(failure, '支付未完成，请稍后重试'));
    } finally {
      setBusy(null);
    }
  };

  const cancel = async (order: UnpaidOrderRef) => {
    setBusy({ outTradeNo: order.outTradeNo, action: 'cancel' });
    try {
      const result = await cancelPayOrder(order.outTradeNo);
      if (result.status === 'pending') toast('您正在微信中支付此订单，暂时无法取消');
      else if (result.status === 'paid') toast('订单已支付，无需取消');
      else toast(result.couponId || result.pointsBurned > 0 ? '订单已取消，优惠券和积分已退回' : '订单已取消');
      onChanged();
    } catch (failure) {
      toast(messageOf(failure));
    } finally {
      setBusy(null);
    }
  };

  return {
    busy,
    resume: (order: UnpaidOrderRef) => void resume(order),
    /** Opens the confirmation; the dialog's 取消订单 calls `confirmCancel`. */
    askCancel: (order: UnpaidOrderRef) => setConfirming(order),
    confirming,
    confirmCancel: () => {
      if (confirming) void cancel(confirming);
    },
    closeDialog: () => setConfirming(null),
  };
}
