import { useCallback, useEffect, useRef, useState } from 'react';
import type { AudienceFilter, AudiencePreviewResponse, MessageKind } from '@member/shared';
import { isApiError, messageOf, previewAudience } from '../api';
import { previewKey } from '../utils/audience';

export interface AudiencePreviewState {
  /** The last answer (kept on screen while a newer question is asked). */
  data: AudiencePreviewResponse | null;
  /** A question is waiting for its debounce or its answer. */
  loading: boolean;
  error: string;
  /** The server said this account may not build audiences (not an admin). */
  forbidden: boolean;
  /** Asks again now (after the RFM data was refreshed). */
  refresh: () => void;
}

/**
 * The live size / reachable count of an audience: asked `delayMs` after the last change (typing a number or
 * tapping chips in a row asks once), and only the newest question's answer reaches the screen. A filter that
 * does not read (null: a field is wrong) asks nothing; the form shows why.
 */
export function useAudiencePreview(filter: AudienceFilter | null, messageKind: MessageKind | null, delayMs = 400): AudiencePreviewState {
  const key = filter ? previewKey(filter, messageKind) : null;
  const [state, setState] = useState<Omit<AudiencePreviewState, 'refresh'>>({
    data: null,
    loading: key !== null,
    error: '',
    forbidden: false,
  });
  const [asked, setAsked] = useState(0);
  const latest = useRef(0);
  const first = useRef(true);

  useEffect(() => {
    if (key === null) {
      latest.current++;
      setState((current) => ({ ...current, loading: false }));
      return undefined;
    }
    const [question, kind] = JSON.parse(key) as [AudienceFilter, MessageKind | null];
    const request = ++latest.current;
    setState((current) => ({ ...current, loading: true }));
    const timer = setTimeout(
      () => {
        previewAudience({ filter: question, ...(kind ? { messageKind: kind } : {}) }).then(
          (data) => {
            if (request === latest.current) setState({ data, loading: false, error: '', forbidden: false });
          },
          (error: unknown) => {
            if (request !== latest.current) return;
            setState((current) => ({
              ...current,
              loading: false,
              error: messageOf(error),
              forbidden: isApiError(error) && error.code === 'FORBIDDEN',
            }));
          },
        );
      },
      first.current ? 0 : delayMs,
    );
    first.current = false;
    return () => clearTimeout(timer);
  }, [key, asked, delayMs]);

  const refresh = useCallback(() => setAsked((n) => n + 1), []);
  return { ...state, refresh };
}
