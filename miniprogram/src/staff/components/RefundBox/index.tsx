import { useRef, useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import { Dialog } from '@nutui/nutui-react-taro';
import '@nutui/nutui-react-taro/dist/es/packages/dialog/style/css';
import { formatFen, type Fen, type RefundView } from '@member/shared';
import ActionButton from '../../../components/ActionButton';
import { messageOf, PendingKeys, refundPurchase } from '../../../api';
import { readYuanInput, yuanInputText } from '../../../utils/pay';
import { refundConsequences } from '../../../utils/till';
import './index.scss';

export interface RefundBoxProps {
  sale: { id: number; paidFen: Fen; refundedFen: Fen; pointsEarned: number; pointsBurned: number; couponDiscountFen: Fen };
  onRefunded: (refund: RefundView) => void;
}

/**
 * Refund part or all of a till sale, always after a confirmation that says what happens (money back, points
 * taken back). The refund number is kept per attempt, so a retry after a lost answer refunds once; the server's
 * one refund ceiling holds whichever page (this, the sales history) refunds at the same time.
 */
export default function RefundBox({ sale, onRefunded }: RefundBoxProps) {
  const left = sale.paidFen - sale.refundedFen;
  const [amount, setAmount] = useState('');
  const [asking, setAsking] = useState<Fen | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const keys = useRef(new PendingKeys()).current;

  const ask = () => {
    setError('');
    const reading = readYuanInput(amount, '退款金额');
    if (!reading.ok) return setError(reading.message);
    if (reading.fen > left) return setError(`退款金额不能超过 ${formatFen(left, { keepCents: true })}`);
    setAsking(reading.fen);
  };

  const refund = async (amountFen: Fen) => {
    setAsking(null);
    const action = `refund-${sale.id}-${sale.refundedFen}-${amountFen}`;
    setBusy(true);
    try {
      const done = await refundPurchase(sale.id, { amountFen, refundNo: keys.keyFor(action) });
      keys.settle(action);
      setAmount('');
      onRefunded(done);
    } catch (failure) {
      keys.settle(action, failure);
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  if (left <= 0) {
    return (
      <Text id='purchase-fully-refunded' className='refund-box__done'>
        已全额退款
      </Text>
    );
  }
  return (
    <View className='refund-box'>
      <Text className='refund-box__label'>退款（最多 {formatFen(left, { keepCents: true })}）</Text>
      <View className='refund-box__row'>
        <Input
          id='refund-amount'
          className='refund-box__input'
          type='digit'
          placeholder='退款金额（元）'
          maxlength={12}
          value={amount}
          disabled={busy}
          onInput={(e) => setAmount(e.detail.value)}
        />
        <View id='refund-all' className='refund-box__all' onClick={() => setAmount(yuanInputText(left))}>
          <Text>全部</Text>
        </View>
        <ActionButton id='refund-submit' className='refund-box__submit' loading={busy} disabled={busy || undefined} onClick={ask}>
          退款
        </ActionButton>
      </View>
      {error ? (
        <Text id='refund-error' className='form-error'>
          {error}
        </Text>
      ) : null}
      <Dialog
        className='refund-box__dialog'
        visible={asking !== null}
        title='确认退款'
        content={
          asking !== null
            ? `退款 ${formatFen(asking, { keepCents: true })} 给顾客。${refundConsequences(sale, asking === left)}提交后不可撤销。`
            : ''
        }
        confirmText='确认退款'
        cancelText='再想想'
        onConfirm={() => void (asking !== null && refund(asking))}
        onCancel={() => setAsking(null)}
        onClose={() => setAsking(null)}
      />
    </View>
  );
}
