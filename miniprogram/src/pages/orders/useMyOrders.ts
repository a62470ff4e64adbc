import { useCallback, useRef, useState } from 'react';
import { useDidShow, usePullDownRefresh } from '@tarojs/taro';
import Taro from '@tarojs/taro';
import type { ErrorCode, MemberOrderView } from '@member/shared';
import { ensureSession, isApiError, listMyOrders, messageOf } from '../../api';

export type OrdersState =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'blocked'; code: ErrorCode }
  | { kind: 'ready'; orders: MemberOrderView[]; nextCursor: string | null; loadingMore: boolean };

/**
 * 我的订单's list: the first page on open and again whenever the page shows (an order paid or cancelled
 * elsewhere), more pages on 加载更多 (the server's cursor, so nothing repeats or is skipped); only the newest
 * request's answer reaches the screen.
 */
export function useMyOrders() {
  const [state, setState] = useState<OrdersState>({ kind: 'loading' });
  const latest = useRef(0);

  const reload = useCallback(async (quiet: boolean) => {
    const request = ++latest.current;
    if (!quiet) setState({ kind: 'loading' });
    try {
      await ensureSession();
      const page = await listMyOrders();
      if (request === latest.current) setState({ kind: 'ready', orders: page.orders, nextCursor: page.nextCursor, loadingMore: false });
    } catch (failure) {
      if (request !== latest.current) return;
      if (isApiError(failure) && failure.code === 'MEMBER_NOT_JOINED') setState({ kind: 'blocked', code: failure.code });
      else setState({ kind: 'error', message: messageOf(failure) });
    } finally {
      Taro.stopPullDownRefresh();
    }
  }, []);

  useDidShow(() => void reload(true));
  usePullDownRefresh(() => void reload(true));

  const loadMore = async () => {
    if (state.kind !== 'ready' || !state.nextCursor || state.loadingMore) return;
    const request = ++latest.current;
    setState({ ...state, loadingMore: true });
    try {
      const page = await listMyOrders(state.nextCursor);
      if (request !== latest.current) return;
      setState({ kind: 'ready', orders: [...state.orders, ...page.orders], nextCursor: page.nextCursor, loadingMore: false });
    } catch (failure) {
      if (request !== latest.current) return;
      setState({ ...state, loadingMore: false });
      void Taro.showToast({ title: messageOf(failure), icon: 'none' });
    }
  };

  return { state, reload: () => void reload(true), retry: () => void reload(false), loadMore: () => void loadMore() };
}
