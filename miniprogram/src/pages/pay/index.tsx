import { useCallback, useEffect, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { decodeStorePaymentCode, errorMessage, type PublicConfig } from '@member/shared';
import { ensureSession, loadPublicConfig, messageOf } from '../../api';
import StateView from '../../components/StateView';
import platform from '../../platform';
import { backToHome, openPage } from '../../utils/navigation';
import { amountLimitProblem, readYuanInput, yuanInputText } from '../../utils/pay';
import CouponPicker from './sections/CouponPicker';
import PayHero from './sections/PayHero';
import { PayBar, PaySummary } from './sections/PaySummary';
import PendingOrder from './sections/PendingOrder';
import PointsSection from './sections/PointsSection';
import { usePayOrder } from './usePayOrder';
import { usePayQuote } from './usePayQuote';
import './index.scss';

type PageState = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ready'; config: PublicConfig };

/** `store` and `amount` (fen) from the till's link or code; `couponId` from a coupon's 去使用. */
function routeParams(): { store: string; amountFen: number | null; couponId: number | null } {
  const params = Taro.getCurrentInstance().router?.params ?? {};
  const amount = params.amount ?? '';
  const coupon = params.couponId ?? '';
  return {
    store: (params.store ?? '').trim(),
    amountFen: /^\d{1,9}$/.test(amount) && Number(amount) > 0 ? Number(amount) : null,
    couponId: /^\d{1,12}$/.test(coupon) ? Number(coupon) : null,
  };
}

function Shell({ children }: { children: React.ReactNode }) {
  return <View className='page pay-page'>{children}</View>;
}

/**
 * Paying in the app: the store and the amount, a coupon (the best one preselected, or the one 去使用 opened the
 * page with) and points, previewed with the same quote the server charges → an order → WeChat's cashier → the
 * result page. An order left unpaid stays (found again after a reload): pay it or cancel it here.
 */
export default function PayPage() {
  const route = useRef(routeParams()).current;
  const [page, setPage] = useState<PageState>({ kind: 'loading' });
  const [storeCode, setStoreCode] = useState(route.store);
  const [amountText, setAmountText] = useState(route.amountFen ? yuanInputText(route.amountFen) : '');
  const config = page.kind === 'ready' ? page.config : null;

  const loadPage = useCallback(async () => {
    setPage({ kind: 'loading' });
    try {
      await ensureSession();
      const loaded = await loadPublicConfig();
      setStoreCode((current) => (loaded.stores.some((s) => s.code === current) ? current : (loaded.stores[0]?.code ?? '')));
      setPage({ kind: 'ready', config: loaded });
    } catch (failure) {
      setPage({ kind: 'error', message: messageOf(failure) });
    }
  }, []);
  useEffect(() => void loadPage(), [loadPage]);

  const amount = readYuanInput(amountText, '付款金额');
  const overLimit = amount.ok && config ? amountLimitProblem(amount.fen, config.payMaxOrderFen) : null;
  const amountFen = amount.ok && !overLimit ? amount.fen : null;
  const pay = usePayQuote({ payEnabled: Boolean(config?.payEnabled), storeCode, amountFen, requestedCouponId: route.couponId });
  const order = usePayOrder(config, pay);
  const locked = order.pending !== null || order.busy !== null;

  // A link naming a store this app does not know says so once the stores are known.
  useEffect(() => {
    if (config && route.store && !config.stores.some((s) => s.code === route.store))
      order.setError(`${errorMessage('PAY_STORE_UNKNOWN')}（门店编号 ${route.store}）`);
  }, [config]); // eslint-disable-line react-hooks/exhaustive-deps

  const scan = async () => {
    order.setError('');
    if (!config) return;
    try {
      const scanned = await platform.scanCode();
      if (!scanned) return;
      const code = decodeStorePaymentCode(scanned.trim());
      if (!code) return order.setError('这不是门店收款码，请扫描收银台展示的付款码');
      if (!config.stores.some((s) => s.code === code.storeCode)) return order.setError(errorMessage('PAY_STORE_UNKNOWN'));
      setStoreCode(code.storeCode);
      setAmountText(yuanInputText(code.amountFen));
    } catch (failure) {
      order.setError(messageOf(failure, '扫码失败，请手动输入金额'));
    }
  };

  if (page.kind === 'loading')
    return (
      <Shell>
        <StateView status='loading' idPrefix='pay-page' title='正在打开付款…' />
      </Shell>
    );
  if (page.kind === 'error')
    return (
      <Shell>
        <StateView status='error' idPrefix='pay-page' title='付款页加载失败' message={page.message} onRetry={() => void loadPage()} />
      </Shell>
    );
  if (!page.config.payEnabled)
    return (
      <Shell>
        <StateView
          status='empty'
          idPrefix='pay-disabled'
          title='本店暂未开通微信支付'
          message='请到收银台付款，出示会员码即可积分和用券'
          retryText='返回首页'
          onRetry={backToHome}
        />
      </Shell>
    );
  if (pay.checkout.status === 'blocked')
    return (
      <Shell>
        <StateView
          status='empty'
          idPrefix='pay-join'
          title='开通会员后即可在线付款'
          message='付款时可用优惠券、积分抵现，消费还能积分'
          retryText='开通会员'
          onRetry={() => openPage('/pages/join/index')}
        />
      </Shell>
    );

  const { options, quote, problem } = pay;
  const canSubmit = Boolean(options && quote?.ok && !problem && !locked && pay.checkout.status === 'ready');
  return (
    <Shell>
      <PayHero
        config={page.config}
        storeCode={storeCode}
        amountText={amountText}
        amountProblem={amountText.trim() && !amount.ok ? amount.message : overLimit}
        locked={locked}
        onStore={(code) => {
          setStoreCode(code);
          order.setError('');
        }}
        onAmount={(text) => {
          setAmountText(text);
          order.setError('');
        }}
        onScan={() => void scan()}
      />

      {order.pending ? (
        <PendingOrder order={order.pending} busy={order.busy} onResume={() => void order.resume()} onCancel={() => void order.cancel()} />
      ) : null}

      {amountFen === null ? (
        <View className='section'>
          <StateView status='empty' compact idPrefix='pay-idle' title='输入金额后选择优惠' message='可用的优惠券和积分会在这里列出' />
        </View>
      ) : (
        <>
          <CouponPicker pay={pay} locked={locked} />
          {options ? <PointsSection pay={pay} options={options} locked={locked} /> : null}
          {options && quote ? <PaySummary options={options} quote={quote} problem={problem} /> : null}
        </>
      )}

      {order.error ? (
        <Text id='pay-error' className='form-error'>
          {order.error}
        </Text>
      ) : null}

      <PayBar
        payableFen={quote?.ok ? quote.payableFen : null}
        pending={order.pending !== null}
        submitting={order.busy === 'submit'}
        canSubmit={canSubmit}
        onSubmit={() => void order.submit()}
      />
    </Shell>
  );
}
