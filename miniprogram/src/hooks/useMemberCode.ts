import { useCallback, useEffect, useRef, useState } from 'react';
import { getMemberCode, messageOf } from '../api';
import platform from '../platform';
import { usePageVisible } from './usePageVisible';

/** Never ask more often than this, whatever the server says (protects against a 0 from a misconfiguration). */
const MIN_REFRESH_SECONDS = 5;

interface CodeState {
  code: string | null;
  status: 'loading' | 'ready' | 'error';
  /** Local clock time (ms) at which the next code is fetched. */
  refreshAt: number;
  refreshing: boolean;
  errorMessage?: string;
}

export interface MemberCodeView extends Omit<CodeState, 'refreshAt'> {
  secondsLeft: number;
  refresh: () => void;
}

/**
 * The rotating member code: fetched when shown, re-fetched every `refreshInSeconds`, paused while the page is
 * hidden (the countdown resumes from the wall clock on return), fetched again right after a screenshot.
 * While a code is on screen, weapp raises the brightness and hides the screen in captures.
 */
export function useMemberCode(enabled: boolean): MemberCodeView {
  const visible = usePageVisible();
  const active = enabled && visible;
  const [state, setState] = useState<CodeState>({ code: null, status: 'loading', refreshAt: 0, refreshing: false });
  const [now, setNow] = useState(() => Date.now());
  const inFlight = useRef(false);
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const refresh = useCallback(async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    setState((previous) => ({ ...previous, refreshing: previous.code !== null, status: previous.code ? previous.status : 'loading' }));
    try {
      const response = await getMemberCode();
      if (!mounted.current) return;
      const seconds = Math.max(MIN_REFRESH_SECONDS, Math.floor(response.refreshInSeconds || 60));
      const fetchedAt = Date.now();
      setState({ code: response.code, status: 'ready', refreshAt: fetchedAt + seconds * 1000, refreshing: false });
      setNow(fetchedAt);
    } catch (error) {
      if (!mounted.current) return;
      // No automatic retry: the member taps 刷新 (a dead server must not be hammered every second).
      setState((previous) => ({ ...previous, status: 'error', refreshing: false, errorMessage: messageOf(error) }));
    } finally {
      inFlight.current = false;
    }
  }, []);

  // First code, once the card is showing.
  useEffect(() => {
    if (active && state.code === null && state.status === 'loading' && !inFlight.current) void refresh();
  }, [active, state.code, state.status, refresh]);

  // The countdown ticks only while the page is visible.
  useEffect(() => {
    if (!active || state.status !== 'ready') return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active, state.status]);

  // Time is up (or we came back after it was): fetch the next code.
  useEffect(() => {
    if (active && state.status === 'ready' && !state.refreshing && now >= state.refreshAt) void refresh();
  }, [active, now, state.status, state.refreshing, state.refreshAt, refresh]);

  // A screenshot of the code becomes useless at once: rotate it.
  useEffect(() => {
    if (!active) return undefined;
    return platform.onScreenCapture(() => void refresh());
  }, [active, refresh]);

  const showing = active && state.code !== null;
  useEffect(() => {
    if (!showing) return undefined;
    void platform.keepScreenBright(true);
    void platform.protectFromCapture(true);
    return () => {
      void platform.keepScreenBright(false);
      void platform.protectFromCapture(false);
    };
  }, [showing]);

  const secondsLeft = Math.max(0, Math.ceil((state.refreshAt - now) / 1000));
  return {
    code: state.code,
    status: state.status,
    refreshing: state.refreshing,
    errorMessage: state.errorMessage,
    secondsLeft,
    refresh: () => void refresh(),
  };
}
