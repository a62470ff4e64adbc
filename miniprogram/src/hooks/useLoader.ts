import { useCallback, useEffect, useRef, useState } from 'react';
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro';
import type { ErrorCode } from '@member/shared';
import { isApiError, messageOf } from '../api';

export type LoadState<T> =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  /** The server answered one of the `blockedBy` codes (not a member yet, not an admin, not found…): a page of its own. */
  | { kind: 'blocked'; code: ErrorCode }
  | { kind: 'ready'; data: T };

export interface LoaderOptions {
  /** Error codes that are a state of the page rather than a failure to retry. */
  blockedBy?: readonly ErrorCode[];
  /** Reload quietly when the page shows again (back from another page), and on pull-down. Default true. */
  refreshOnShow?: boolean;
  /** Toast when a quiet reload fails (default). A page that polls turns this off: one toast per poll would nag. */
  toastQuietFailures?: boolean;
}

/**
 * A page's data: load on open, reload quietly (keeping what is on screen, a toast on failure) when the page
 * shows again or is pulled down, and let only the newest request's answer reach the screen, so a slow answer
 * to an old question (a tab already left) never overwrites the current one. `fetch` changing starts a fresh load.
 */
export function useLoader<T>(fetch: () => Promise<T>, options: LoaderOptions = {}) {
  const { blockedBy = [], refreshOnShow = true, toastQuietFailures = true } = options;
  const [state, setState] = useState<LoadState<T>>({ kind: 'loading' });
  const latest = useRef(0);
  const shown = useRef(false);
  const blocked = useRef(blockedBy);
  blocked.current = blockedBy;

  const load = useCallback(
    async (quiet: boolean) => {
      const request = ++latest.current;
      if (!quiet) setState({ kind: 'loading' });
      try {
        const data = await fetch();
        if (request !== latest.current) return;
        shown.current = true;
        setState({ kind: 'ready', data });
      } catch (error) {
        if (request !== latest.current) return;
        if (isApiError(error) && blocked.current.includes(error.code as ErrorCode))
          setState({ kind: 'blocked', code: error.code as ErrorCode });
        else if (quiet && shown.current) {
          if (toastQuietFailures) void Taro.showToast({ title: messageOf(error), icon: 'none' });
        } else setState({ kind: 'error', message: messageOf(error) });
      }
    },
    [fetch, toastQuietFailures],
  );

  useEffect(() => {
    void load(false);
  }, [load]);
  useDidShow(() => {
    if (refreshOnShow && shown.current) void load(true);
  });
  usePullDownRefresh(() => {
    if (!refreshOnShow) return void Taro.stopPullDownRefresh();
    void load(true).finally(() => Taro.stopPullDownRefresh());
  });

  /** Replace the shown data locally (after an action answered with the new value). */
  const update = useCallback((change: (data: T) => T) => {
    setState((current) => (current.kind === 'ready' ? { kind: 'ready', data: change(current.data) } : current));
  }, []);

  return { state, reload: load, update };
}
