import { useCallback, useRef } from 'react';
import Taro from '@tarojs/taro';
import { useLoader, type LoadState } from './useLoader';

/** What a form page was opened for: a new one, an edit of `?id=`, or a copy of `?copyOf=` (a new one with its terms). */
export type EditMode = { kind: 'new' } | { kind: 'edit'; id: number } | { kind: 'copy'; id: number };

function modeFromRoute(): EditMode {
  const params = Taro.getCurrentInstance().router?.params ?? {};
  const id = (text: string | undefined) => {
    const n = Number(text ?? '');
    return Number.isSafeInteger(n) && n > 0 ? n : 0;
  };
  if (id(params.id)) return { kind: 'edit', id: id(params.id) };
  if (id(params.copyOf)) return { kind: 'copy', id: id(params.copyOf) };
  return { kind: 'new' };
}

/**
 * The saved record an edit or a copy starts from (null for a new one), loaded once: not reloaded when the page
 * shows again, so what the person typed is never replaced under them.
 */
export function useEditSource<T>(load: (id: number) => Promise<T>): { mode: EditMode; source: LoadState<T | null>; retry: () => void } {
  const mode = useRef(modeFromRoute()).current;
  const fetch = useCallback(() => (mode.kind === 'new' ? Promise.resolve(null) : load(mode.id)), [mode, load]);
  const { state, reload } = useLoader<T | null>(fetch, { refreshOnShow: false, blockedBy: ['FORBIDDEN'] });
  return { mode, source: state, retry: () => void reload(false) };
}
