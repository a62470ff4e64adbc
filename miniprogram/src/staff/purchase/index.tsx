import { useEffect, useRef, useState } from 'react';
import { Text, View } from '@tarojs/components';
import { type PurchaseView, type RefundView, type StaffProfile, type TillQuote } from '@member/shared';
import ActionButton from '../../components/ActionButton';
import ChoiceChips from '../../components/ChoiceChips';
import StateView from '../../components/StateView';
import { getStaffMember, getStaffProfile, messageOf, PendingKeys, quotePurchase, recordPurchase } from '../../api';
import { backToHome, replacePage } from '../../utils/navigation';
import { readYuanInput } from '../../utils/pay';
import { maskName, ticketMinutesLeft } from '../../utils/till';
import QuoteLines from '../components/QuoteLines';
import PurchaseResult from '../components/PurchaseResult';
import TillField from '../components/TillField';
import { useTillMember } from '../hooks/useTillMember';
import './index.scss';

type Step = { kind: 'form' } | { kind: 'confirm'; quote: TillQuote } | { kind: 'done'; purchase: PurchaseView; refunds: RefundView[] };

const digitsOnly = (raw: string) => raw.replace(/[\s-]/g, '');

/**
 * Record a purchase for the member identified on the till's home (their ticket, not the 60-second code): amount,
 * optionally a coupon and points → 应付, shown before the clerk confirms → the sale, the points it earned, and
 * refunds (each confirmed). The store is the clerk's (or the one the member was identified at).
 */
export default function PurchasePage() {
  const till = useTillMember();
  const [profile, setProfile] = useState<StaffProfile | null>(null);
  const [store, setStore] = useState('');
  const [amount, setAmount] = useState('');
  const [couponCode, setCouponCode] = useState('');
  const [points, setPoints] = useState('');
  const [step, setStep] = useState<Step>({ kind: 'form' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const keys = useRef(new PendingKeys()).current;

  useEffect(() => {
    getStaffProfile()
      .then((staff) => {
        setProfile(staff);
        if (staff.stores.length === 1) setStore(staff.stores[0].code);
      })
      .catch((failure) => setError(messageOf(failure)));
  }, []);

  const member = till.member;
  // The clerk pauses on the result: the ticket may run out meanwhile, the sale stays on screen.
  if (!member && step.kind !== 'done') {
    return (
      <View className='page purchase-page'>
        <StateView
          status='empty'
          idPrefix='purchase-need-member'
          title='请先识别会员'
          message='在员工首页扫码或输入顾客的会员码，再为其记录消费'
          retryText='去识别会员'
          onRetry={backToHome}
        />
      </View>
    );
  }

  const fixedStore = member?.tillStoreCode ?? (profile?.stores.length === 1 ? profile.stores[0].code : null);
  const storeCode = fixedStore ?? store;
  const storeName = profile ? (profile.stores.find((s) => s.code === storeCode)?.name ?? storeCode) : '…';
  const request = () => {
    const reading = readYuanInput(amount, '消费金额');
    if (!reading.ok) return { problem: reading.message };
    if (!storeCode) return { problem: '请选择门店' };
    const coupon = digitsOnly(couponCode);
    if (coupon && !/^\d{6,20}$/.test(coupon)) return { problem: '券码应为 6-20 位数字' };
    const pointsText = points.trim();
    if (pointsText && !/^\d{1,9}$/.test(pointsText)) return { problem: '积分抵扣请输入整数' };
    return {
      body: {
        tillTicket: member!.tillTicket,
        amountFen: reading.fen,
        storeCode,
        couponCode: coupon || undefined,
        pointsToBurn: Number(pointsText) || undefined,
      },
    };
  };

  const run = async (work: () => Promise<void>) => {
    setError('');
    setBusy(true);
    try {
      await work();
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  const showQuote = () => {
    const built = request();
    if (!built.body) return setError(built.problem);
    void run(async () => setStep({ kind: 'confirm', quote: await quotePurchase(built.body) }));
  };

  const confirm = () => {
    const built = request();
    if (!built.body) return setError(built.problem);
    const body = built.body;
    // Same member, amount, coupon and points = the same purchase: a retry after a lost answer is not recorded twice.
    const action = `purchase-${member!.id}-${body.amountFen}-${body.couponCode ?? ''}-${body.pointsToBurn ?? 0}`;
    void run(async () => {
      try {
        const purchase = await recordPurchase({ ...body, idempotencyKey: keys.keyFor(action) });
        keys.settle(action);
        setStep({ kind: 'done', purchase, refunds: [] });
        getStaffMember(purchase.memberId).then(till.refresh, () => undefined);
      } catch (failure) {
        keys.settle(action, failure);
        throw failure;
      }
    });
  };

  const editing = step.kind === 'form';
  return (
    <View className='page purchase-page'>
      {member ? (
        <View id='purchase-member' className='purchase-member'>
          <Text className='purchase-member__name'>{maskName(member.nickname)}</Text>
          <Text className='purchase-member__tier'>{member.tier.name}</Text>
          <Text className='purchase-member__points'>{member.pointsBalance} 积分</Text>
          <Text className='purchase-member__left'>{ticketMinutesLeft(member, new Date())} 分钟内有效</Text>
        </View>
      ) : null}

      {step.kind !== 'done' ? (
        <View className='section'>
          <TillField
            id='purchase-amount'
            label='消费金额（元）'
            value={amount}
            onChange={setAmount}
            placeholder='如 300 或 299.90'
            type='digit'
            disabled={!editing}
          />
          <View className='purchase-page__field'>
            <Text className='purchase-page__label'>门店</Text>
            {fixedStore || !profile ? (
              <Text id='purchase-store' className='purchase-page__store'>
                {storeName}
              </Text>
            ) : (
              <ChoiceChips
                idPrefix='purchase-store'
                options={profile.stores.map((s) => ({ value: s.code, label: s.name }))}
                selected={store}
                onSelect={setStore}
                disabled={!editing}
              />
            )}
          </View>
          <TillField
            id='purchase-coupon'
            label='优惠券码（可不填）'
            value={couponCode}
            onChange={setCouponCode}
            placeholder='顾客出示的券码'
            disabled={!editing}
            scanLabel='扫券'
            onScanError={setError}
          />
          <TillField
            id='purchase-points'
            label={`积分抵扣（可不填，100 积分 = ¥1，现有 ${member?.pointsBalance ?? 0}）`}
            value={points}
            onChange={setPoints}
            placeholder='如 500'
            type='number'
            disabled={!editing}
          />
          {editing ? (
            <ActionButton
              id='purchase-submit'
              className='primary-button purchase-page__action'
              loading={busy}
              disabled={busy || undefined}
              onClick={showQuote}
            >
              计算应付
            </ActionButton>
          ) : null}
          {error && editing ? (
            <Text id='purchase-error' className='form-error'>
              {error}
            </Text>
          ) : null}
        </View>
      ) : null}

      {step.kind === 'confirm' ? (
        <View id='purchase-confirm-step' className='section'>
          <Text className='section-title'>请与顾客确认</Text>
          <QuoteLines quote={step.quote} />
          <ActionButton
            id='purchase-confirm'
            className='primary-button purchase-page__action'
            loading={busy}
            disabled={busy || undefined}
            onClick={confirm}
          >
            确认，记录消费
          </ActionButton>
          <ActionButton
            id='purchase-edit'
            className='ghost-button purchase-page__action--ghost'
            disabled={busy || undefined}
            onClick={() => setStep({ kind: 'form' })}
          >
            返回修改
          </ActionButton>
          {error ? (
            <Text id='purchase-error' className='form-error'>
              {error}
            </Text>
          ) : null}
        </View>
      ) : null}

      {step.kind === 'done' ? (
        <PurchaseResult
          step={step}
          onRefunded={(refund: RefundView) =>
            setStep((current) =>
              current.kind === 'done' ? { ...current, purchase: refund.purchase, refunds: [...current.refunds, refund] } : current,
            )
          }
          onNext={() => {
            till.clear();
            backToHome();
          }}
          onSales={() => replacePage('/staff/sales/index')}
        />
      ) : null}
    </View>
  );
}
