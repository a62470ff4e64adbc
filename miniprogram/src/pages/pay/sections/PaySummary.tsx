import { Text, View } from '@tarojs/components';
import { memberPriceLabel, priceBasisNotice, type CheckoutOptions, type CheckoutQuote } from '@member/shared';
import ActionButton from '../../../components/ActionButton';
import { money } from '../../../utils/pay';

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

/**
 * The receipt before paying: 订单金额, what the member price (a tier that has one), the coupon and the points take
 * off, 应付, or what is wrong; and, when the coupon does not stack with the member price, which way was cheaper.
 */
export function PaySummary({ options, quote, problem }: { options: CheckoutOptions; quote: CheckoutQuote; problem: string | null }) {
  const notice = quote.ok ? priceBasisNotice(quote) : null;
  const saved = quote.ok ? quote.memberDiscountFen + quote.couponDiscountFen + quote.pointsValueFen : 0;
  return (
    <View id='pay-summary' className='section pay-summary'>
      <SummaryLine id='pay-gross' label='订单金额' value={money(options.amountFen)} />
      {options.memberPricePermille < 1000 ? (
        <SummaryLine
          id='pay-member-discount'
          label={`会员价（${memberPriceLabel(options.tierName, options.memberPricePermille)}）`}
          value={quote.ok && quote.memberDiscountFen > 0 ? `-${money(quote.memberDiscountFen)}` : quote.ok ? '本单不享' : '—'}
          muted={!quote.ok || quote.memberDiscountFen === 0}
        />
      ) : null}
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
        <Text className='pay-summary__total-label'>应付</Text>
        <Text id='pay-payable' className='pay-summary__total-value'>
          {quote.ok ? money(quote.payableFen) : '—'}
        </Text>
      </View>
      {notice && !problem ? (
        <Text id='pay-price-basis' className='pay-summary__notice'>
          {notice}
        </Text>
      ) : null}
      {problem ? (
        <Text id='pay-quote-problem' className='pay-summary__problem'>
          {problem}
        </Text>
      ) : saved > 0 ? (
        <Text className='pay-summary__saved'>已为您节省 {money(saved)}</Text>
      ) : null}
    </View>
  );
}

/** The bar at the bottom: 应付 and 确认付款. */
export function PayBar(props: {
  payableFen: number | null;
  pending: boolean;
  submitting: boolean;
  canSubmit: boolean;
  onSubmit: () => void;
}) {
  return (
    <View className='pay-bar'>
      <View className='pay-bar__amount'>
        <Text className='pay-bar__label'>应付</Text>
        <Text id='pay-bar-payable' className='pay-bar__value'>
          {props.payableFen !== null ? money(props.payableFen) : '¥--'}
        </Text>
      </View>
      <ActionButton
        id='pay-submit'
        className='pay-bar__submit'
        loading={props.submitting}
        disabled={!props.canSubmit || undefined}
        onClick={props.onSubmit}
      >
        {props.pending ? '待支付' : '确认付款'}
      </ActionButton>
    </View>
  );
}
