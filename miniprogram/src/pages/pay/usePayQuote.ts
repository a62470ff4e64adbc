import { useEffect, useMemo, useRef, useState } from 'react';
import type { CheckoutOptions, ErrorCode } from '@member/shared';
import { getCheckoutOptions, isApiError, messageOf } from '../../api';
import { couponToApply, maxPointsFor, pointsProblem, previewCheckout, quoteProblem, readPointsInput } from '../../utils/pay';

/** Wait this long after the last keystroke before asking the server what applies to the amount. */
const CHECKOUT_DEBOUNCE_MS = 350;

/** What the server said applies to the amount and store on screen (the last answer, kept while a new one loads). */
export interface CheckoutState {
  status: 'idle' | 'loading' | 'ready' | 'error' | 'blocked';
  options: CheckoutOptions | null;
  message?: string;
  code?: ErrorCode;
}

/**
 * The checkout being priced: the server's options for this amount and store (asked once typing pauses; only the
 * newest answer shown), the coupon applied (the link's, the member's, else the best), the points, and the quote —
 * the same shared function the server charges with — with what is wrong with it, limits named.
 */
export function usePayQuote(input: { payEnabled: boolean; storeCode: string; amountFen: number | null; requestedCouponId: number | null }) {
  const { payEnabled, storeCode, amountFen } = input;
  const [checkout, setCheckout] = useState<CheckoutState>({ status: 'idle', options: null });
  const [reloadTick, setReloadTick] = useState(0);
  const [couponId, setCouponId] = useState<number | null>(null);
  const [usePoints, setUsePoints] = useState(false);
  const [pointsText, setPointsText] = useState('');
  const [pointsNote, setPointsNote] = useState('');
  const latest = useRef(0);
  /** The coupon 去使用 opened the page with, until the member picks another; their own pick, once they do. */
  const choice = useRef({ requested: input.requestedCouponId, chosen: null as number | null, chosenByMember: false });

  useEffect(() => {
    if (!payEnabled || amountFen === null || !storeCode) {
      latest.current += 1;
      setCheckout((current) => ({ status: 'idle', options: current.options }));
      return undefined;
    }
    const request = ++latest.current;
    setCheckout((current) => ({ status: 'loading', options: current.options }));
    const timer = setTimeout(() => {
      getCheckoutOptions(amountFen, storeCode).then(
        (options) => {
          if (request !== latest.current) return;
          setCheckout({ status: 'ready', options });
          setCouponId(couponToApply(options, choice.current));
        },
        (failure) => {
          if (request !== latest.current) return;
          if (isApiError(failure) && failure.code === 'MEMBER_NOT_JOINED')
            setCheckout({ status: 'blocked', options: null, code: failure.code });
          else setCheckout({ status: 'error', options: null, message: messageOf(failure) });
        },
      );
    }, CHECKOUT_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [payEnabled, amountFen, storeCode, reloadTick]);

  // The options on screen answer for exactly this amount and store (not one typed a moment ago).
  const options =
    checkout.options && checkout.options.amountFen === amountFen && checkout.options.storeCode === storeCode ? checkout.options : null;
  const maxPoints = options ? maxPointsFor(options, couponId) : 0;
  const pointsToBurn = usePoints ? readPointsInput(pointsText, maxPoints).points : 0;
  const quote = useMemo(() => (options ? previewCheckout(options, couponId, pointsToBurn) : null), [options, couponId, pointsToBurn]);
  const pointsIssue = options && usePoints ? pointsProblem(pointsToBurn, maxPoints, options.burnRule) : null;
  const problem = pointsIssue ?? (quote && options ? quoteProblem(quote, options) : null);

  // A coupon (or a smaller amount) can lower the most points allowed: bring the typed number down with it.
  useEffect(() => {
    if (!options || !usePoints) return;
    const reading = readPointsInput(pointsText, maxPoints);
    if (reading.clamped) {
      setPointsText(reading.text);
      setPointsNote(`本单最多可用 ${maxPoints} 积分`);
    }
  }, [options, usePoints, pointsText, maxPoints]);

  const chooseCoupon = (id: number | null) => {
    choice.current = { requested: null, chosen: id, chosenByMember: true };
    setCouponId(id);
  };

  const onPointsInput = (text: string) => {
    const reading = readPointsInput(text, maxPoints);
    setPointsText(reading.text);
    setPointsNote(reading.clamped ? `本单最多可用 ${maxPoints} 积分` : '');
    return reading.text;
  };

  const togglePoints = (on: boolean) => {
    setUsePoints(on);
    setPointsNote('');
    // Switched on: offer the most this order takes; the member may lower it.
    if (on && !pointsText) setPointsText(maxPoints > 0 ? String(maxPoints) : '');
  };

  return {
    checkout,
    options,
    reload: () => setReloadTick((n) => n + 1),
    couponId,
    chooseCoupon,
    usePoints,
    togglePoints,
    pointsText,
    onPointsInput,
    pointsNote,
    pointsIssue,
    pointsToBurn,
    maxPoints,
    quote,
    problem,
  };
}

export type PayQuote = ReturnType<typeof usePayQuote>;
