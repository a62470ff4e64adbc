import { formatFen, type TillQuote } from '@member/shared';
import AmountLines from '../AmountLines';

const money = (fen: number) => formatFen(fen, { keepCents: true });

/** 订单金额 − 优惠券 − 积分抵扣 = 应付, as the customer is told before the clerk confirms. */
export default function QuoteLines({ quote }: { quote: TillQuote }) {
  return (
    <AmountLines
      lines={[
        { label: '订单金额', value: money(quote.grossFen), id: 'purchase-gross' },
        ...(quote.couponDiscountFen > 0
          ? [
              {
                label: `优惠券 ${quote.couponName ?? ''}`.trim(),
                value: `-${money(quote.couponDiscountFen)}`,
                id: 'purchase-coupon-off',
                minus: true,
              },
            ]
          : []),
        ...(quote.pointsBurned > 0
          ? [
              {
                label: `积分抵扣 ${quote.pointsBurned} 积分`,
                value: `-${money(quote.pointsValueFen)}`,
                id: 'purchase-points-off',
                minus: true,
              },
            ]
          : []),
        { label: '应付', value: money(quote.payableFen), id: 'purchase-payable', strong: true },
      ]}
    />
  );
}
