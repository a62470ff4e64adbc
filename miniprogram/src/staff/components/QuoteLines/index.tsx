import { Text, View } from '@tarojs/components';
import { formatFen, memberPriceLabel, priceBasisNotice, type TillQuote } from '@member/shared';
import AmountLines from '../AmountLines';
import './index.scss';

const money = (fen: number) => formatFen(fen, { keepCents: true });

/**
 * 订单金额 − 会员价 − 优惠券 − 积分抵扣 = 应付, as the customer is told before the clerk confirms; and, when the
 * coupon does not stack with the member price, which way was cheaper (the clerk says it to the customer).
 */
export default function QuoteLines({ quote }: { quote: TillQuote }) {
  const notice = priceBasisNotice(quote);
  return (
    <View className='quote-lines'>
      <AmountLines
        lines={[
          { label: '订单金额', value: money(quote.grossFen), id: 'purchase-gross' },
          ...(quote.memberDiscountFen > 0
            ? [
                {
                  label: `会员价 ${memberPriceLabel(quote.tierName, quote.memberPricePermille)}`,
                  value: `-${money(quote.memberDiscountFen)}`,
                  id: 'purchase-member-off',
                  minus: true,
                },
              ]
            : []),
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
      {notice ? (
        <Text id='purchase-price-basis' className='quote-lines__notice'>
          {notice}
        </Text>
      ) : null}
    </View>
  );
}
