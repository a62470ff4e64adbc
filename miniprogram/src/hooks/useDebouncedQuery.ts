import { useCallback, useEffect, useRef, useState } from 'react';
import { messageOf } from '../api/errors';

export interface DebouncedQueryState<T> {
  /** The newest answer (kept on screen while a newer question waits or is asked). */
  data: T | null;
  /** A question is waiting for its debounce or its answer. */
  loading: boolean;
  /** The newest question's failure, in the member's words; '' when it answered. */
  error: string;
  /** The raw failure, for pages that react to a code (not a member, not an admin). */
  failure: unknown;
  /** Ask the current question again now (after a change elsewhere). */
  refresh: () => void;
}

export interface DebouncedQueryOptions {
  /** Wait this long after the last change before asking. The first question is asked at once. */
  delayMs?: number;
}

/**
 * One question asked while its input changes (a search box, filter chips, an amount being typed): asked `delayMs`
 * after the last change, and only the newest question's answer reaches the screen, so a slow answer to an old
 * question never overwrites a newer one. `key` identifies the question (null: nothing to ask yet, e.g. the input
 * does not read); `ask` is called with it.
 */
export function useDebouncedQuery<T, K = string>(
  key: K | null,
  ask: (key: K) => Promise<T>,
  { delayMs = 400 }: DebouncedQueryOptions = {},
): DebouncedQueryState<T> {
  // Compare questions by value, so a new object with the same content asks nothing.
  const identity = key === null ? null : JSON.stringify(key);
  const [state, setState] = useState<Omit<DebouncedQueryState<T>, 'refresh'>>({
    data: null,
    loading: identity !== null,
    error: '',
    failure: null,
  });
  const [asked, setAsked] = useState(0);
  const latest = useRef(0);
  const first = useRef(true);
  const askRef = useRef(ask);
  askRef.current = ask;
  const keyRef = useRef(key);
  keyRef.current = key;

  useEffect(() => {
    const request = ++latest.current;
    if (identity === null) {
      setState((current) => ({ ...current, loading: false }));
      return undefined;
    }
    setState((current) => ({ ...current, loading: true }));
    const question = keyRef.current as K;
    const timer = setTimeout(
      () => {
        askRef.current(question).then(
          (data) => {
            if (request === latest.current) setState({ data, loading: false, error: '', failure: null });
          },
          (failure: unknown) => {
            if (request === latest.current) setState((current) => ({ ...current, loading: false, error: messageOf(failure), failure }));
          },
        );
      },
      first.current ? 0 : delayMs,
    );
    first.current = false;
    return () => clearTimeout(timer);
  }, [identity, asked, delayMs]);

  const refresh = useCallback(() => setAsked((n) => n + 1), []);
  return { ...state, refresh };
}
