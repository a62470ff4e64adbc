import { useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import ActionButton from '../../components/ActionButton';
import { formatFen, parseYuanToFen, type CouponPreview, type RedemptionView, type ReverseRedemptionResponse } from '@member/shared';
import { isApiError, messageOf, PendingKeys, previewRedemption, redeemCoupon, reverseRedemption } from '../../api';
import CouponTicket from '../../components/CouponTicket';
import platform from '../../platform';
import { businessDateTime } from '../../utils/dates';
import { maskName } from '../../utils/till';
import { useTillMember } from '../hooks/useTillMember';
import './index.scss';

/** The till's steps: type or scan → see what the coupon gives → redeem → (maybe) undo. */
type Step =
  | { kind: 'input' }
  | { kind: 'previewed'; preview: CouponPreview; code: string; amountFen: number }
  | { kind: 'redeemed'; redemption: RedemptionView }
  | { kind: 'reversed'; redemption: RedemptionView; result: ReverseRedemptionResponse };

function memberIdFromRoute(): number | undefined {
  const raw = Taro.getCurrentInstance().router?.params?.memberId ?? '';
  return /^\d{1,12}$/.test(raw) ? Number(raw) : undefined;
}

const normalizeCode = (raw: string) => raw.replace(/[\s-]/g, '');

export default function RedeemPage() {
  const memberId = useRef(memberIdFromRoute()).current;
  // The member identified on the till's home: their ticket binds the redemption to them and to this store.
  const till = useTillMember();
  const tillTicket = till.member && till.member.id === memberId ? till.member.tillTicket : undefined;
  const memberProof = tillTicket ? { tillTicket } : { memberId };
  const [code, setCode] = useState('');
  const [amount, setAmount] = useState('');
  const [step, setStep] = useState<Step>({ kind: 'input' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [confirmingReverse, setConfirmingReverse] = useState(false);
  const keys = useRef(new PendingKeys()).current;

  /** Checks the inputs; a message for the clerk when they are not usable. */
  const readInputs = (): { code: string; amountFen: number } | string => {
    const digits = normalizeCode(code);
    if (!digits) return '请输入或扫描券码';
    if (!/^\d{6,20}$/.test(digits)) return '券码应为 6-20 位数字';
    const amountFen = parseYuanToFen(amount);
    if (amountFen === null) return '请输入正确的订单金额，如 300 或 299.90';
    return { code: digits, amountFen };
  };

  const preview = async () => {
    setError('');
    const inputs = readInputs();
    if (typeof inputs === 'string') {
      setError(inputs);
      return;
    }
    setBusy(true);
    try {
      const answer = await previewRedemption({ code: inputs.code, orderAmountFen: inputs.amountFen, ...memberProof });
      setStep({ kind: 'previewed', preview: answer, code: inputs.code, amountFen: inputs.amountFen });
    } catch (failure) {
      setStep({ kind: 'input' });
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  const redeem = async () => {
    if (step.kind !== 'previewed') return;
    // Same coupon and amount = same action: a retry after a lost answer reuses the key and cannot redeem twice.
    const action = `redeem-${step.code}-${step.amountFen}`;
    setError('');
    setBusy(true);
    try {
      const redemption = await redeemCoupon({
        code: step.code,
        orderAmountFen: step.amountFen,
        ...memberProof,
        idempotencyKey: keys.keyFor(action),
      });
      keys.settle(action);
      setStep({ kind: 'redeemed', redemption });
      void Taro.showToast({ title: '核销成功', icon: 'success' });
    } catch (failure) {
      keys.settle(action, failure);
      const message = messageOf(failure);
      // Another till may have redeemed it meanwhile: show the coupon as it is now, under the reason.
      if (isApiError(failure) && failure.status > 0 && failure.status < 500) await preview();
      setError(message);
    } finally {
      setBusy(false);
    }
  };

  const reverse = async () => {
    if (step.kind !== 'redeemed') return;
    setConfirmingReverse(false);
    setError('');
    setBusy(true);
    try {
      const result = await reverseRedemption(step.redemption.redemptionId);
      setStep({ kind: 'reversed', redemption: step.redemption, result });
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  const startOver = () => {
    setStep({ kind: 'input' });
    setCode('');
    setAmount('');
    setError('');
    setConfirmingReverse(false);
  };

  const scan = async () => {
    setError('');
    try {
      const scanned = await platform.scanCode();
      if (scanned) setCode(normalizeCode(scanned));
    } catch (failure) {
      setError(messageOf(failure, '扫码失败，请手动输入券码'));
    }
  };

  const editable = step.kind === 'input' || step.kind === 'previewed';
  const onEdit = (set: (value: string) => void) => (event: { detail: { value: string } }) => {
    set(event.detail.value);
    // A preview answers for the code and amount it was asked with; after an edit it no longer applies.
    if (step.kind === 'previewed') setStep({ kind: 'input' });
  };

  return (
    <View className='page redeem-page'>
      {memberId !== undefined ? (
        <Text id='redeem-member' className='redeem-page__member'>
          {till.member && till.member.id === memberId
            ? `为 ${maskName(till.member.nickname)}（${till.member.tier.name}）核销：只能核销该会员的券`
            : `当前会员编号 ${memberId}：只能核销该会员的券`}
        </Text>
      ) : null}

      <View className='section'>
        <Text className='section-title'>券码</Text>
        <View className='redeem-page__row'>
          <Input
            id='redeem-code-input'
            className='redeem-page__input redeem-page__input--code'
            // Text, not number: clerks paste or type the digits grouped as the member's screen shows them.
            type='text'
            placeholder='顾客券码下方的数字'
            maxlength={24}
            value={code}
            disabled={!editable || busy}
            onInput={onEdit(setCode)}
          />
          {platform.canScan ? (
            <ActionButton
              id='redeem-scan'
              className='redeem-page__scan'
              disabled={!editable || busy || undefined}
              onClick={() => void scan()}
            >
              扫码
            </ActionButton>
          ) : null}
        </View>
        <Text className='section-title redeem-page__label'>订单金额（元）</Text>
        <Input
          id='redeem-amount-input'
          className='redeem-page__input'
          type='digit'
          placeholder='如 300 或 299.90'
          maxlength={12}
          value={amount}
          disabled={!editable || busy}
          onInput={onEdit(setAmount)}
          onConfirm={() => void preview()}
        />
        {step.kind === 'input' ? (
          <ActionButton
            id='redeem-preview'
            className='primary-button redeem-page__action'
            loading={busy}
            disabled={busy || undefined}
            onClick={() => void preview()}
          >
            查看优惠
          </ActionButton>
        ) : null}
        {error ? (
          <Text id='redeem-error' className='form-error'>
            {error}
          </Text>
        ) : null}
      </View>

      {step.kind === 'previewed' ? (
        <View id='redeem-result' className='section redeem-result'>
          <CouponTicket
            terms={step.preview.coupon.terms}
            name={step.preview.coupon.name}
            meta={[`有效期至 ${businessDateTime(step.preview.coupon.validUntil)}`]}
            muted={!step.preview.applicable}
          />
          <Sums amountFen={step.amountFen} preview={step.preview} />
          {step.preview.applicable ? (
            <ActionButton
              id='redeem-confirm'
              className='primary-button redeem-page__action'
              loading={busy}
              disabled={busy || undefined}
              onClick={() => void redeem()}
            >
              确认核销
            </ActionButton>
          ) : (
            <Text id='redeem-reason' className='form-error'>
              {step.preview.reasonText ?? '该券不能用于本单'}
            </Text>
          )}
        </View>
      ) : null}

      {step.kind === 'redeemed' || step.kind === 'reversed' ? (
        <View id={step.kind === 'redeemed' ? 'redeem-success' : 'redeem-reversed'} className='section redeem-result'>
          <Text className={`redeem-result__headline redeem-result__headline--${step.kind}`}>
            {step.kind === 'redeemed'
              ? '核销成功'
              : step.result.restored
                ? '已撤销核销，优惠券已退回顾客券包'
                : '已撤销核销；该券已过期，不再退回'}
          </Text>
          <Text className='redeem-result__line'>
            {step.redemption.coupon.name} · 核销时间 {businessDateTime(step.redemption.redeemedAt)}
          </Text>
          <Sums amountFen={step.redemption.payableFen + step.redemption.discountFen} preview={step.redemption} />
          {step.kind === 'redeemed' ? (
            confirmingReverse ? (
              <View className='redeem-page__confirm-row'>
                <Text className='redeem-page__confirm-text'>确认撤销这次核销（顾客退款）？</Text>
                <ActionButton
                  id='redeem-reverse-cancel'
                  className='ghost-button redeem-page__half'
                  disabled={busy || undefined}
                  onClick={() => setConfirmingReverse(false)}
                >
                  不撤销
                </ActionButton>
                <ActionButton
                  id='redeem-reverse-confirm'
                  className='primary-button redeem-page__half'
                  loading={busy}
                  disabled={busy || undefined}
                  onClick={() => void reverse()}
                >
                  确认撤销
                </ActionButton>
              </View>
            ) : (
              <ActionButton
                id='redeem-reverse'
                className='ghost-button redeem-page__action'
                disabled={busy || undefined}
                onClick={() => setConfirmingReverse(true)}
              >
                撤销核销（退款）
              </ActionButton>
            )
          ) : null}
          <ActionButton id='redeem-next' className='primary-button redeem-page__action' disabled={busy || undefined} onClick={startOver}>
            核销下一张
          </ActionButton>
        </View>
      ) : null}
    </View>
  );
}

/** Order amount, discount and what the customer pays, plus the gift when there is one. */
function Sums({ amountFen, preview }: { amountFen: number; preview: CouponPreview }) {
  return (
    <View className='redeem-sums'>
      <View className='redeem-sums__line'>
        <Text className='redeem-sums__key'>订单金额</Text>
        <Text>{formatFen(amountFen)}</Text>
      </View>
      <View className='redeem-sums__line'>
        <Text className='redeem-sums__key'>优惠</Text>
        <Text id='redeem-discount' className='redeem-sums__discount'>
          {preview.applicable ? `-${formatFen(preview.discountFen)}` : '不适用'}
        </Text>
      </View>
      {preview.giftName ? (
        <View className='redeem-sums__line'>
          <Text className='redeem-sums__key'>赠品</Text>
          <Text id='redeem-gift'>{preview.giftName}</Text>
        </View>
      ) : null}
      <View className='redeem-sums__line redeem-sums__line--total'>
        <Text className='redeem-sums__key'>应付</Text>
        <Text id='redeem-payable' className='redeem-sums__payable'>
          {formatFen(preview.payableFen)}
        </Text>
      </View>
    </View>
  );
}
