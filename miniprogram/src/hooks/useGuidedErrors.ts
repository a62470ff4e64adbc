import { useCallback, useState } from 'react';
import Taro from '@tarojs/taro';
import { firstErrorField, stillWrong } from '../utils/form-errors';

type Errors<F extends string> = Partial<Record<F, string>>;

/**
 * A form's red fields that guide (issue 16): `show` after a refused submit marks the fields and scrolls the page
 * to the first one in page `order` (its row is `#<rowPrefix><field>`, or the row `rowOf` names for a field shown
 * inside another's); `recheck` after each change keeps only what is still wrong, and clears the form's summary
 * line once nothing is.
 */
export function useGuidedErrors<F extends string>(options: { order: readonly F[]; rowPrefix: string; rowOf?: Partial<Record<F, F>> }) {
  const { order, rowPrefix, rowOf } = options;
  const [errors, setErrors] = useState<Errors<F>>({});
  const [formError, setFormError] = useState('');

  const show = useCallback(
    (next: Errors<F>, summary: string) => {
      setErrors(next);
      setFormError(summary);
      const first = firstErrorField(order, next);
      if (first) void Taro.pageScrollTo({ selector: `#${rowPrefix}${rowOf?.[first] ?? first}`, duration: 300, offsetTop: -12 });
    },
    [order, rowPrefix, rowOf],
  );

  /** `now`: the form's errors as it stands after the change (null: none). */
  const recheck = useCallback((now: Errors<F> | null) => {
    setErrors((shown) => {
      if (Object.keys(shown).length === 0) return shown;
      const remaining = stillWrong(shown, now);
      if (Object.keys(remaining).length === 0) setFormError('');
      return remaining;
    });
  }, []);

  return { errors, formError, setErrors, setFormError, show, recheck };
}
