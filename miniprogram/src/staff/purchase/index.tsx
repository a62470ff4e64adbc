import { useEffect, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import ActionButton from '../../components/ActionButton';
import ChoiceChips from '../../components/ChoiceChips';
import { formatFen, parseYuanToFen, type PurchaseView, type RefundView } from '@member/shared';
import { getStaffProfile, messageOf, PendingKeys, recordPurchase, refundPurchase } from '../../api';
import platform from '../../platform';
import { parseCount } from '../../utils/coupons';
import './index.scss';

const STORE_KEY = 'staff.storeCode';
const digitsOnly = (raw: string) => raw.replace(/[\s-]/g, '');

function initialCode(): string {
  return digitsOnly(Taro.getCurrentInstance().router?.params?.code ?? '');
}

/**
 * The till: the member's code (scanned on the staff home or here), the order amount, and optionally a coupon
 * and points → one purchase at the clerk's store. The store comes from the staff account (the server decides):
 * one store is shown; an account with several picks one of them, never types a code. Then, if the customer
 * returns goods, a refund of part or all.
 */
export default function PurchasePage() {
  const [memberCode, setMemberCode] = useState(initialCode);
  const [amount, setAmount] = useState('');
  const [stores, setStores] = useState<Array<{ code: string; name: string }>>([]);
  const [store, setStore] = useState(() => String(Taro.getStorageSync(STORE_KEY) || ''));
  const [couponCode, setCouponCode] = useState('');
  const [points, setPoints] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [purchase, setPurchase] = useState<PurchaseView | null>(null);
  const [refundAmount, setRefundAmount] = useState('');
  const [refunds, setRefunds] = useState<RefundView[]>([]);
  const keys = useRef(new PendingKeys()).current;

  useEffect(() => {
    getStaffProfile()
      .then((profile) => {
        setStores(profile.stores);
        setStore((current) =>
          profile.stores.some((s) => s.code === current) ? current : profile.stores.length === 1 ? profile.stores[0].code : '',
        );
      })
      .catch((failure) => setError(messageOf(failure)));
  }, []);

  const submit = async () => {
    setError('');
    const code = digitsOnly(memberCode);
    const amountFen = parseYuanToFen(amount);
    const storeCode = store;
    const pointsToBurn = points.trim() ? parseCount(points, 0, 100_000_000) : 0;
    if (!/^\d{10,40}$/.test(code)) return setError('请扫描或输入顾客的会员码');
    if (amountFen === null || amountFen <= 0) return setError('请输入正确的消费金额，如 300 或 299.90');
    if (!stores.some((s) => s.code === storeCode)) return setError('请选择门店');
    if (pointsToBurn === null) return setError('积分抵扣请输入整数');
    const coupon = digitsOnly(couponCode);
    if (coupon && !/^\d{6,20}$/.test(coupon)) return setError('券码应为 6-20 位数字');
    // Same member, amount, coupon and points = the same purchase: a retry after a lost answer is not recorded twice.
    const action = `purchase-${code}-${amountFen}-${coupon}-${pointsToBurn}`;
    setBusy(true);
    try {
      const recorded = await recordPurchase({
        memberCode: code,
        amountFen,
        storeCode,
        couponCode: coupon || undefined,
        pointsToBurn: pointsToBurn || undefined,
        idempotencyKey: keys.keyFor(action),
      });
      keys.settle(action);
      Taro.setStorageSync(STORE_KEY, storeCode);
      setPurchase(recorded);
      setRefunds([]);
      void Taro.showToast({ title: '已记录消费', icon: 'success' });
    } catch (failure) {
      keys.settle(action, failure);
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  const refund = async () => {
    if (!purchase) return;
    setError('');
    const amountFen = parseYuanToFen(refundAmount);
    if (amountFen === null || amountFen <= 0) return setError('请输入正确的退款金额');
    const action = `refund-${purchase.id}-${refunds.length}-${amountFen}`;
    setBusy(true);
    try {
      const done = await refundPurchase(purchase.id, { amountFen, refundNo: keys.keyFor(action) });
      keys.settle(action);
      setPurchase(done.purchase);
      setRefunds((current) => [...current, done]);
      setRefundAmount('');
    } catch (failure) {
      keys.settle(action, failure);
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  const startOver = () => {
    setPurchase(null);
    setRefunds([]);
    setMemberCode('');
    setAmount('');
    setCouponCode('');
    setPoints('');
    setError('');
  };

  const scan = async (set: (value: string) => void) => {
    try {
      const scanned = await platform.scanCode();
      if (scanned) set(digitsOnly(scanned));
    } catch (failure) {
      setError(messageOf(failure, '扫码失败，请手动输入'));
    }
  };

  const field = (id: string, label: string, value: string, set: (v: string) => void, placeholder: string, scanLabel?: string) => (
    <View className='purchase-page__field'>
      <Text className='purchase-page__label'>{label}</Text>
      <View className='purchase-page__row'>
        <Input
          id={id}
          className='purchase-page__input'
          type='text'
          placeholder={placeholder}
          maxlength={48}
          value={value}
          disabled={busy || purchase !== null}
          onInput={(e) => set(e.detail.value)}
        />
        {scanLabel && platform.canScan ? (
          <ActionButton className='purchase-page__scan' disabled={busy || purchase !== null || undefined} onClick={() => void scan(set)}>
            {scanLabel}
          </ActionButton>
        ) : null}
      </View>
    </View>
  );

  return (
    <View className='page purchase-page'>
      <View className='section'>
        {field('purchase-member-code', '会员码', memberCode, setMemberCode, '顾客会员码下方的数字', '扫码')}
        {field('purchase-amount', '消费金额（元）', amount, setAmount, '如 300 或 299.90')}
        <View className='purchase-page__field'>
          <Text className='purchase-page__label'>门店</Text>
          {stores.length === 1 ? (
            <Text id='purchase-store'>{stores[0].name}</Text>
          ) : (
            <ChoiceChips
              idPrefix='purchase-store'
              options={stores.map((s) => ({ value: s.code, label: s.name }))}
              selected={store}
              onSelect={setStore}
              disabled={busy || purchase !== null}
            />
          )}
        </View>
        {field('purchase-coupon', '优惠券码（可不填）', couponCode, setCouponCode, '顾客出示的券码', '扫券')}
        {field('purchase-points', '积分抵扣（可不填，100 积分 = ¥1）', points, setPoints, '如 500')}
        {purchase === null ? (
          <ActionButton
            id='purchase-submit'
            className='primary-button purchase-page__action'
            loading={busy}
            disabled={busy || undefined}
            onClick={() => void submit()}
          >
            记录消费
          </ActionButton>
        ) : null}
        {error ? (
          <Text id='purchase-error' className='form-error'>
            {error}
          </Text>
        ) : null}
      </View>

      {purchase ? (
        <View id='purchase-result' className='section'>
          <Text className='purchase-result__headline'>消费已记录</Text>
          <Line label='订单金额' value={formatFen(purchase.grossFen)} />
          {purchase.couponDiscountFen > 0 ? <Line label='优惠券' value={`-${formatFen(purchase.couponDiscountFen)}`} /> : null}
          {purchase.pointsBurned > 0 ? (
            <Line label='积分抵扣' value={`-${formatFen(purchase.pointsBurned)}（${purchase.pointsBurned} 积分）`} />
          ) : null}
          <Line id='purchase-paid' label='实付' value={formatFen(purchase.paidFen)} strong />
          <Line
            id='purchase-earned'
            label='本单积分'
            value={`+${purchase.pointsEarned}${purchase.bonusPermille > 1000 ? `（${purchase.bonusPermille / 1000} 倍积分）` : ''}`}
          />
          <Line id='purchase-balance' label='积分余额' value={String(purchase.member.pointsBalance)} />
          <Line id='purchase-tier' label='会员等级' value={purchase.member.tierName} />
          {purchase.refundedFen > 0 ? <Line id='purchase-refunded' label='已退款' value={formatFen(purchase.refundedFen)} /> : null}

          {refunds.map((r) => (
            <Text key={r.id} className='purchase-result__refund'>
              退款 {formatFen(r.amountFen)}：扣回 {r.pointsClawed} 积分
              {r.pointsShortfall > 0 ? `（${r.pointsShortfall} 积分已被使用，无法扣回）` : ''}
              {r.pointsRestored > 0 ? `，退回抵扣积分 ${r.pointsRestored}` : ''}
              {r.couponRestored ? '，优惠券已退回' : ''}
            </Text>
          ))}

          {purchase.refundedFen < purchase.paidFen ? (
            <View className='purchase-page__refund'>
              <Text className='purchase-page__label'>退款金额（元，最多 {formatFen(purchase.paidFen - purchase.refundedFen)}）</Text>
              <View className='purchase-page__row'>
                <Input
                  id='refund-amount'
                  className='purchase-page__input'
                  type='digit'
                  placeholder='部分或全部'
                  maxlength={12}
                  value={refundAmount}
                  disabled={busy}
                  onInput={(e) => setRefundAmount(e.detail.value)}
                />
                <ActionButton
                  id='refund-submit'
                  className='purchase-page__scan'
                  loading={busy}
                  disabled={busy || undefined}
                  onClick={() => void refund()}
                >
                  退款
                </ActionButton>
              </View>
            </View>
          ) : (
            <Text id='purchase-fully-refunded' className='purchase-result__refund'>
              已全额退款
            </Text>
          )}
          <ActionButton id='purchase-next' className='ghost-button purchase-page__action' disabled={busy || undefined} onClick={startOver}>
            记录下一笔
          </ActionButton>
        </View>
      ) : null}
    </View>
  );
}

function Line({ id, label, value, strong = false }: { id?: string; label: string; value: string; strong?: boolean }) {
  return (
    <View className='purchase-result__line'>
      <Text className='purchase-result__key'>{label}</Text>
      <Text id={id} className={strong ? 'purchase-result__strong' : undefined}>
        {value}
      </Text>
    </View>
  );
}
