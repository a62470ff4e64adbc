import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, Switch, Text, View } from '@tarojs/components';
import ActionButton from '../../components/ActionButton';
import {
  decodeStorePaymentCode,
  errorMessage,
  FEN_PER_POINT,
  type CheckoutOptions,
  type CreatePayOrderResponse,
  type ErrorCode,
  type PayOrderView,
  type PublicConfig,
} from '@member/shared';
import {
  cancelPayOrder,
  createPayOrder,
  ensureSession,
  getCheckoutOptions,
  getPayOrder,
  isApiError,
  loadPublicConfig,
  messageOf,
  outcomeUnknown,
  PendingKeys,
} from '../../api';
import ChoiceChips from '../../components/ChoiceChips';
import CouponTicket from '../../components/CouponTicket';
import StateView from '../../components/StateView';
import platform from '../../platform';
import { businessDate, businessDateTime } from '../../utils/dates';
import {
  maxPointsFor,
  money,
  pointsProblem,
  previewCheckout,
  quoteProblem,
  readPointsInput,
  readYuanInput,
  yuanInputText,
} from '../../utils/pay';
import './index.scss';

/** Wait this long after the last keystroke before asking the server what applies to the amount. */
const CHECKOUT_DEBOUNCE_MS = 350;

type PageState = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ready'; config: PublicConfig };

/** What the server said applies to the amount and store on screen (the last answer, kept while a new one loads). */
interface CheckoutState {
  status: 'idle' | 'loading' | 'ready' | 'error' | 'blocked';
  options: CheckoutOptions | null;
  message?: string;
  code?: ErrorCode;
}

function routeParams(): { store: string; amountFen: number | null } {
  const params = Taro.getCurrentInstance().router?.params ?? {};
  const amount = params.amount ?? '';
  return { store: (params.store ?? '').trim(), amountFen: /^\d{1,9}$/.test(amount) && Number(amount) > 0 ? Number(amount) : null };
}

async function fetchConfig(): Promise<PublicConfig> {
  await ensureSession();
  return loadPublicConfig();
}

/**
 * Paying in the app: the store and the amount (typed, from the link, or from the till's payment code), a coupon
 * and points, previewed with the same quote the server charges → an order → WeChat's cashier → the result page.
 * If the member closes the cashier, the order (and the coupon and points it holds) stays: pay it or cancel it.
 */
export default function PayPage() {
  const route = useRef(routeParams()).current;
  const [page, setPage] = useState<PageState>({ kind: 'loading' });
  const [storeCode, setStoreCode] = useState(route.store);
  const [amountText, setAmountText] = useState(route.amountFen ? yuanInputText(route.amountFen) : '');
  const [checkout, setCheckout] = useState<CheckoutState>({ status: 'idle', options: null });
  const [reloadTick, setReloadTick] = useState(0);
  const [couponId, setCouponId] = useState<number | null>(null);
  const [usePoints, setUsePoints] = useState(false);
  const [pointsText, setPointsText] = useState('');
  const [pointsNote, setPointsNote] = useState('');
  const [busy, setBusy] = useState<'submit' | 'resume' | 'cancel' | null>(null);
  const [error, setError] = useState('');
  /** An order the member has not paid yet (the cashier was closed): it holds the coupon and points. */
  const [pending, setPending] = useState<CreatePayOrderResponse | null>(null);
  const keys = useRef(new PendingKeys()).current;
  const latestCheckout = useRef(0);

  const loadPage = useCallback(async () => {
    setPage({ kind: 'loading' });
    try {
      const config = await fetchConfig();
      const known = config.stores.some((s) => s.code === route.store);
      if (route.store && !known) setError(`${errorMessage('PAY_STORE_UNKNOWN')}（门店编号 ${route.store}）`);
      setStoreCode((current) => (config.stores.some((s) => s.code === current) ? current : (config.stores[0]?.code ?? '')));
      setPage({ kind: 'ready', config });
    } catch (failure) {
      setPage({ kind: 'error', message: messageOf(failure) });
    }
  }, [route.store]);

  useEffect(() => {
    void loadPage();
  }, [loadPage]);

  const amount = readYuanInput(amountText, '付款金额');
  const amountFen = amount.ok ? amount.fen : null;
  const payEnabled = page.kind === 'ready' && page.config.payEnabled;

  // What applies to this amount at this store: asked once the typing pauses; only the newest answer is shown.
  useEffect(() => {
    if (!payEnabled || amountFen === null || !storeCode) {
      latestCheckout.current += 1;
      setCheckout((current) => ({ status: 'idle', options: current.options }));
      return undefined;
    }
    const request = ++latestCheckout.current;
    setCheckout((current) => ({ status: 'loading', options: current.options }));
    const timer = setTimeout(() => {
      getCheckoutOptions(amountFen, storeCode).then(
        (options) => {
          if (request !== latestCheckout.current) return;
          setCheckout({ status: 'ready', options });
          // A coupon chosen for another amount may not apply to this one.
          setCouponId((current) => (options.coupons.some((c) => c.coupon.id === current && c.applicable) ? current : null));
        },
        (failure) => {
          if (request !== latestCheckout.current) return;
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
  const problem = pointsIssue ?? (quote ? quoteProblem(quote) : null);

  // A coupon (or a smaller amount) can lower the most points allowed: bring the typed number down with it.
  useEffect(() => {
    if (!options || !usePoints) return;
    const reading = readPointsInput(pointsText, maxPoints);
    if (reading.clamped) {
      setPointsText(reading.text);
      setPointsNote(`本单最多可用 ${maxPoints} 积分`);
    }
  }, [options, usePoints, pointsText, maxPoints]);

  const locked = pending !== null || busy !== null;

  const onAmountInput = (event: { detail: { value: string } }) => {
    setAmountText(event.detail.value);
    setError('');
  };

  const onPointsInput = (event: { detail: { value: string } }) => {
    const reading = readPointsInput(event.detail.value, maxPoints);
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

  const scan = async () => {
    setError('');
    if (page.kind !== 'ready') return;
    try {
      const scanned = await platform.scanCode();
      if (!scanned) return;
      const code = decodeStorePaymentCode(scanned.trim());
      if (!code) return setError('这不是门店收款码，请扫描收银台展示的付款码');
      if (!page.config.stores.some((s) => s.code === code.storeCode)) return setError(errorMessage('PAY_STORE_UNKNOWN'));
      setStoreCode(code.storeCode);
      setAmountText(yuanInputText(code.amountFen));
    } catch (failure) {
      setError(messageOf(failure, '扫码失败，请手动输入金额'));
    }
  };

  const storeName = (code: string) => (page.kind === 'ready' ? (page.config.stores.find((s) => s.code === code)?.name ?? code) : code);

  const toResult = (outTradeNo: string) => {
    void Taro.redirectTo({ url: `/pages/pay-result/index?no=${encodeURIComponent(outTradeNo)}` });
  };

  /** Opens the cashier for an order; closing it keeps the order payable (the banner offers to pay or cancel). */
  const openCashier = async (order: CreatePayOrderResponse) => {
    if (page.kind !== 'ready' || !order.payment) return;
    try {
      const outcome = await platform.requestPayment(order.payment, {
        emulatorBaseUrl: page.config.emulatorBaseUrl,
        amountFen: order.order.payableFen,
        storeName: storeName(order.order.storeCode),
      });
      if (outcome === 'paid') {
        toResult(order.order.outTradeNo);
        return;
      }
      setPending(order);
    } catch (failure) {
      setPending(order);
      setError(messageOf(failure, '支付未完成，请稍后重试'));
    }
  };

  const submit = async () => {
    if (!options || !quote?.ok || problem || locked) return;
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
        if (!outcomeUnknown(failure)) setReloadTick((n) => n + 1);
        return;
      }
      if (created.order.status === 'paid') return toResult(created.order.outTradeNo);
      if (!created.payment) {
        setError(errorMessage('PAY_ORDER_CLOSED'));
        setReloadTick((n) => n + 1);
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
      // Paid meanwhile (another tap, a late notification) or expired? Ask before opening the cashier again.
      let current = pending;
      try {
        const fresh = await getPayOrder(pending.order.outTradeNo);
        if (fresh.order.status === 'paid') return toResult(fresh.order.outTradeNo);
        if (fresh.order.status !== 'pending' || !fresh.payment) {
          setPending(null);
          setError(errorMessage('PAY_ORDER_CLOSED'));
          setReloadTick((n) => n + 1);
          return;
        }
        current = { ...pending, order: fresh.order };
      } catch {
        // No answer: the cashier itself says whether the order can still be paid.
      }
      await openCashier(current);
    } finally {
      setBusy(null);
    }
  };

  const cancelOrder = async () => {
    if (!pending) return;
    setError('');
    setBusy('cancel');
    try {
      const order = await cancelPayOrder(pending.order.outTradeNo);
      if (order.status === 'paid') return toResult(order.outTradeNo);
      setPending(null);
      // The coupon and points are free again: the form is usable with a new checkout (a new key).
      setReloadTick((n) => n + 1);
      void Taro.showToast({ title: '订单已取消，优惠券和积分已退回', icon: 'none' });
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(null);
    }
  };

  if (page.kind === 'loading') {
    return (
      <View className='page pay-page'>
        <StateView status='loading' idPrefix='pay-page' title='正在打开付款…' />
      </View>
    );
  }
  if (page.kind === 'error') {
    return (
      <View className='page pay-page'>
        <StateView status='error' idPrefix='pay-page' title='付款页加载失败' message={page.message} onRetry={() => void loadPage()} />
      </View>
    );
  }
  if (!page.config.payEnabled) {
    return (
      <View className='page pay-page'>
        <StateView
          status='empty'
          idPrefix='pay-disabled'
          title='本店暂未开通微信支付'
          message='请到收银台付款，出示会员码即可积分和用券'
          retryText='返回会员卡'
          onRetry={() => void Taro.reLaunch({ url: '/pages/card/index' })}
        />
      </View>
    );
  }
  if (checkout.status === 'blocked') {
    return (
      <View className='page pay-page'>
        <StateView
          status='empty'
          idPrefix='pay-join'
          title='开通会员后即可在线付款'
          message='付款时可用优惠券、积分抵现，消费还能积分'
          retryText='开通会员'
          onRetry={() => void Taro.navigateTo({ url: '/pages/join/index' })}
        />
      </View>
    );
  }

  const { config } = page;
  const coupons = options?.coupons ?? [];
  const applicableCount = coupons.filter((c) => c.applicable).length;
  const canSubmit = Boolean(options && quote?.ok && !problem && !locked && checkout.status === 'ready');
  const payable = quote?.ok ? quote.payableFen : null;

  return (
    <View className='page pay-page'>
      <View className='pay-hero'>
        <View className='pay-hero__head'>
          <Text className='pay-hero__label'>付款给</Text>
          {platform.canScan ? (
            <ActionButton id='pay-scan' className='pay-hero__scan' disabled={locked || undefined} onClick={() => void scan()}>
              扫码付款
            </ActionButton>
          ) : null}
        </View>
        <ChoiceChips
          idPrefix='pay-store'
          options={config.stores.map((s) => ({ value: s.code, label: s.name }))}
          selected={storeCode}
          disabled={locked}
          onSelect={(code) => {
            setStoreCode(code);
            setError('');
          }}
        />
        <Text className='pay-hero__label pay-hero__label--amount'>付款金额（元）</Text>
        <View className='pay-amount'>
          <Text className='pay-amount__symbol'>¥</Text>
          <Input
            id='pay-amount'
            className='pay-amount__input'
            type='digit'
            placeholder='请输入金额'
            placeholderClass='pay-amount__placeholder'
            maxlength={12}
            value={amountText}
            disabled={locked}
            onInput={onAmountInput}
          />
        </View>
        {amountText.trim() && !amount.ok ? (
          <Text id='pay-amount-error' className='pay-hero__hint pay-hero__hint--error'>
            {amount.message}
          </Text>
        ) : (
          <Text className='pay-hero__hint'>向收银员确认金额后付款，可用优惠券和积分抵扣</Text>
        )}
      </View>

      {pending ? (
        <View id='pay-pending' className='pay-pending'>
          <Text className='pay-pending__title'>订单待支付 {money(pending.order.payableFen)}</Text>
          <Text className='pay-pending__text'>{pendingText(pending.order)}</Text>
          <View className='pay-pending__actions'>
            <ActionButton
              id='pay-cancel-order'
              className='pay-pending__cancel'
              loading={busy === 'cancel'}
              disabled={busy !== null || undefined}
              onClick={() => void cancelOrder()}
            >
              取消订单
            </ActionButton>
            <ActionButton
              id='pay-resume'
              className='pay-pending__resume'
              loading={busy === 'resume'}
              disabled={busy !== null || undefined}
              onClick={() => void resume()}
            >
              继续支付
            </ActionButton>
          </View>
        </View>
      ) : null}

      {amountFen === null ? (
        <View className='section'>
          <StateView status='empty' compact idPrefix='pay-idle' title='输入金额后选择优惠' message='可用的优惠券和积分会在这里列出' />
        </View>
      ) : (
        <>
          <View id='pay-coupons' className='pay-coupons'>
            <View className='pay-coupons__head'>
              <Text className='pay-coupons__title'>优惠券</Text>
              {options ? (
                <Text className='pay-coupons__aside'>{applicableCount > 0 ? `${applicableCount} 张可用` : '无可用券'}</Text>
              ) : null}
            </View>
            {!options && checkout.status === 'error' ? (
              <View className='pay-coupons__state'>
                <StateView
                  status='error'
                  compact
                  idPrefix='pay-checkout'
                  title='优惠信息加载失败'
                  message={checkout.message}
                  onRetry={() => setReloadTick((n) => n + 1)}
                />
              </View>
            ) : !options ? (
              <View className='pay-coupons__state'>
                <StateView status='loading' compact idPrefix='pay-checkout' title='正在查询可用优惠…' />
              </View>
            ) : coupons.length === 0 ? (
              <View className='pay-coupons__state'>
                <StateView status='empty' compact idPrefix='pay-coupons' title='暂无可用优惠券' message='去领券中心看看，下次付款可用' />
              </View>
            ) : (
              <>
                <View
                  id='pay-coupon-none'
                  className={`pay-choice${couponId === null ? ' pay-choice--on' : ''}${locked ? ' pay-choice--locked' : ''}`}
                  ariaRole='radio'
                  onClick={() => !locked && setCouponId(null)}
                >
                  <Text className='pay-choice__label'>不使用优惠券</Text>
                  <View className='pay-radio'>{couponId === null ? <View className='pay-radio__dot' /> : null}</View>
                </View>
                {coupons.map(({ coupon, applicable, reasonText }) => (
                  <View key={coupon.id} className={`pay-coupon${couponId === coupon.id ? ' pay-coupon--on' : ''}`}>
                    <CouponTicket
                      id={`pay-coupon-${coupon.id}`}
                      terms={coupon.terms}
                      name={coupon.name}
                      muted={!applicable}
                      meta={applicable ? [`有效期至 ${businessDate(coupon.validUntil)}`] : [reasonText ?? '本单不可用']}
                      action={
                        applicable ? (
                          <View className='pay-radio'>{couponId === coupon.id ? <View className='pay-radio__dot' /> : null}</View>
                        ) : null
                      }
                      onClick={() => {
                        if (applicable && !locked) setCouponId(coupon.id);
                      }}
                    />
                  </View>
                ))}
              </>
            )}
          </View>

          {options ? (
            <View id='pay-points-section' className='section'>
              <View className='pay-points'>
                <View className='pay-points__text'>
                  <Text className='pay-points__title'>积分抵扣</Text>
                  <Text id='pay-points-max' className='pay-points__sub'>
                    {maxPoints > 0
                      ? `可用 ${options.pointsBalance} 积分，本单最多用 ${maxPoints} 积分`
                      : options.pointsBalance < options.burnRule.minPoints
                        ? `满 ${options.burnRule.minPoints} 积分可用，当前 ${options.pointsBalance} 积分`
                        : '本单暂不可用积分抵扣'}
                  </Text>
                </View>
                <Switch
                  id='pay-points-toggle'
                  checked={usePoints}
                  disabled={locked || maxPoints === 0}
                  color='#e8453c'
                  onChange={(event) => togglePoints(Boolean(event.detail.value))}
                />
              </View>
              {usePoints ? (
                <View className='pay-points__edit'>
                  <Text className='pay-points__key'>使用</Text>
                  <Input
                    id='pay-points'
                    className='pay-points__input'
                    type='number'
                    maxlength={9}
                    value={pointsText}
                    disabled={locked}
                    onInput={onPointsInput}
                  />
                  <Text className='pay-points__key'>积分</Text>
                  <Text className='pay-points__value'>抵 {money(pointsToBurn * FEN_PER_POINT)}</Text>
                </View>
              ) : null}
              {usePoints ? (
                <Text className='pay-points__note'>
                  {pointsIssue ?? (pointsNote || `100 积分 = ¥1，单笔至少 ${options.burnRule.minPoints} 积分`)}
                </Text>
              ) : null}
            </View>
          ) : null}

          {options && quote ? (
            <View id='pay-summary' className='section pay-summary'>
              <SummaryLine id='pay-gross' label='原价' value={money(options.amountFen)} />
              <SummaryLine
                id='pay-coupon-discount'
                label='优惠券'
                value={quote.ok && quote.couponDiscountFen > 0 ? `-${money(quote.couponDiscountFen)}` : '未使用'}
                muted={!quote.ok || quote.couponDiscountFen === 0}
              />
              <SummaryLine
                id='pay-points-discount'
                label='积分抵扣'
                value={quote.ok && quote.pointsBurned > 0 ? `-${money(quote.pointsValueFen)}（${quote.pointsBurned} 积分）` : '未使用'}
                muted={!quote.ok || quote.pointsBurned === 0}
              />
              <View className='pay-summary__total'>
                <Text className='pay-summary__total-label'>实付</Text>
                <Text id='pay-payable' className='pay-summary__total-value'>
                  {payable !== null ? money(payable) : '—'}
                </Text>
              </View>
              {problem ? (
                <Text id='pay-quote-problem' className='pay-summary__problem'>
                  {problem}
                </Text>
              ) : quote.ok && quote.couponDiscountFen + quote.pointsValueFen > 0 ? (
                <Text className='pay-summary__saved'>已为您节省 {money(quote.couponDiscountFen + quote.pointsValueFen)}</Text>
              ) : null}
            </View>
          ) : null}
        </>
      )}

      {error ? (
        <Text id='pay-error' className='form-error'>
          {error}
        </Text>
      ) : null}

      <View className='pay-bar'>
        <View className='pay-bar__amount'>
          <Text className='pay-bar__label'>实付</Text>
          <Text id='pay-bar-payable' className='pay-bar__value'>
            {payable !== null ? money(payable) : '¥--'}
          </Text>
        </View>
        <ActionButton
          id='pay-submit'
          className='pay-bar__submit'
          loading={busy === 'submit'}
          disabled={!canSubmit || undefined}
          onClick={() => void submit()}
        >
          {pending ? '待支付' : '确认付款'}
        </ActionButton>
      </View>
    </View>
  );
}

/** What the unpaid order holds for the member, and until when it can be paid. */
function pendingText(order: PayOrderView): string {
  const held = [
    order.couponName ? `「${order.couponName}」` : order.couponId ? '优惠券' : '',
    order.pointsBurned > 0 ? `${order.pointsBurned} 积分` : '',
  ]
    .filter(Boolean)
    .join('和');
  // Today's expiry reads as a time ("15:23"); one on another day keeps its date.
  const expires = businessDateTime(order.expiresAt);
  const until = `请在 ${expires.startsWith(businessDate(new Date())) ? expires.slice(11) : expires} 前完成支付`;
  return held ? `已为本单保留${held}，${until}；取消订单后退回。` : `${until}。`;
}

function SummaryLine({ id, label, value, muted = false }: { id: string; label: string; value: string; muted?: boolean }) {
  return (
    <View className='pay-summary__line'>
      <Text className='pay-summary__key'>{label}</Text>
      <Text id={id} className={`pay-summary__value${muted ? ' pay-summary__value--muted' : ''}`}>
        {value}
      </Text>
    </View>
  );
}
