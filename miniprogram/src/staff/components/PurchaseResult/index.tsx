import { Text, View } from '@tarojs/components';
import { formatFen, zheText, type PurchaseView, type RefundView } from '@member/shared';
import ActionButton from '../../../components/ActionButton';
import PurchaseRewards from '../../../components/PurchaseRewards';
import AmountLines from '../AmountLines';
import RefundBox from '../RefundBox';

export interface PurchaseResultProps {
  step: { purchase: PurchaseView; refunds: RefundView[] };
  onRefunded: (refund: RefundView) => void;
  onNext: () => void;
  onSales: () => void;
}

/** The recorded sale: the points it earned first (what the clerk tells the customer), then the receipt, refunds. */
export default function PurchaseResult({ step, onRefunded, onNext, onSales }: PurchaseResultProps) {
  const { purchase, refunds } = step;
  return (
    <View id='purchase-result' className='section purchase-result'>
      <View className='purchase-result__hero'>
        <Text className='purchase-result__headline'>消费已记录</Text>
        <Text className='purchase-result__earned'>
          本单积分 <Text id='purchase-earned'>+{purchase.pointsEarned}</Text>
          {purchase.bonusPermille > 1000 ? `（${purchase.bonusPermille / 1000} 倍积分）` : ''}
        </Text>
      </View>
      <PurchaseRewards rewards={purchase.rewards} />
      <AmountLines
        lines={[
          { label: '订单金额', value: formatFen(purchase.grossFen, { keepCents: true }) },
          ...(purchase.memberDiscountFen > 0
            ? [
                {
                  label: `会员价 ${zheText(purchase.memberPricePermille)}`,
                  value: `-${formatFen(purchase.memberDiscountFen, { keepCents: true })}`,
                  id: 'purchase-member-discount',
                  minus: true,
                },
              ]
            : []),
          ...(purchase.couponDiscountFen > 0
            ? [{ label: '优惠券', value: `-${formatFen(purchase.couponDiscountFen, { keepCents: true })}`, minus: true }]
            : []),
          ...(purchase.pointsBurned > 0
            ? [
                {
                  label: `积分抵扣 ${purchase.pointsBurned} 积分`,
                  value: `-${formatFen(purchase.pointsBurned, { keepCents: true })}`,
                  minus: true,
                },
              ]
            : []),
          { label: '实付', value: formatFen(purchase.paidFen, { keepCents: true }), id: 'purchase-paid', strong: true },
          ...(purchase.refundedFen > 0
            ? [{ label: '已退款', value: formatFen(purchase.refundedFen, { keepCents: true }), id: 'purchase-refunded' }]
            : []),
          { label: '积分余额', value: String(purchase.member.pointsBalance), id: 'purchase-balance' },
          { label: '会员等级', value: purchase.member.tierName, id: 'purchase-tier' },
        ]}
      />
      {refunds.map((r) => (
        <Text key={r.id} className='purchase-result__refund'>
          退款 {formatFen(r.amountFen)}：扣回 {r.pointsClawed} 积分
          {r.pointsShortfall > 0 ? `（${r.pointsShortfall} 积分已被使用，无法扣回）` : ''}
          {r.pointsRestored > 0 ? `，退回抵扣积分 ${r.pointsRestored}` : ''}
          {r.couponRestored ? '，优惠券已退回' : ''}
        </Text>
      ))}
      <RefundBox sale={purchase} onRefunded={onRefunded} />
      <View className='purchase-result__actions'>
        <ActionButton id='purchase-sales' className='ghost-button purchase-result__action' onClick={onSales}>
          销售记录
        </ActionButton>
        <ActionButton id='purchase-next' className='primary-button purchase-result__action' onClick={onNext}>
          下一位顾客
        </ActionButton>
      </View>
    </View>
  );
}
