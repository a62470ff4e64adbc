import { Text, View } from '@tarojs/components';
import { formatFen, zheText, type RefundView, type SaleListItem } from '@member/shared';
import { businessDateTime } from '../../../utils/dates';
import { openPage } from '../../../utils/navigation';
import AmountLines from '../AmountLines';
import RefundBox from '../RefundBox';
import './index.scss';

export interface SaleCardProps {
  sale: SaleListItem;
  open: boolean;
  onToggle: () => void;
  onRefunded: (refund: RefundView) => void;
}

const money = (fen: number) => formatFen(fen, { keepCents: true });

/** One sale of the history: when, receipt, who (masked), paid and refunded; opened, its receipt and a refund. */
export default function SaleCard({ sale, open, onToggle, onRefunded }: SaleCardProps) {
  const refundedAll = sale.refundedFen >= sale.paidFen && sale.paidFen > 0;
  return (
    <View id={`sale-${sale.id}`} className={`sale-card${open ? ' sale-card--open' : ''}`}>
      <View className='sale-card__summary' onClick={onToggle}>
        <View className='sale-card__left'>
          <Text className='sale-card__time'>{businessDateTime(sale.purchasedAt).slice(11)}</Text>
          <Text className='sale-card__who'>
            {sale.memberNameMasked ?? '微信用户'} · 小票 {sale.receiptNo}
          </Text>
        </View>
        <View className='sale-card__right'>
          <Text className='sale-card__paid'>{money(sale.paidFen)}</Text>
          {sale.refundedFen > 0 ? (
            <Text className='sale-card__refunded'>{refundedAll ? '已全额退款' : `已退 ${money(sale.refundedFen)}`}</Text>
          ) : (
            <Text className='sale-card__channel'>{sale.channel === 'wechat-pay' ? '微信支付' : `${sale.storeCode} · 门店收银`}</Text>
          )}
        </View>
      </View>
      {open ? (
        <View className='sale-card__detail'>
          <AmountLines
            lines={[
              { label: '订单金额', value: money(sale.grossFen) },
              ...(sale.memberDiscountFen > 0
                ? [{ label: `会员价 ${zheText(sale.memberPricePermille)}`, value: `-${money(sale.memberDiscountFen)}`, minus: true }]
                : []),
              ...(sale.couponDiscountFen > 0 ? [{ label: '优惠券', value: `-${money(sale.couponDiscountFen)}`, minus: true }] : []),
              ...(sale.pointsBurned > 0
                ? [{ label: `积分抵扣 ${sale.pointsBurned} 积分`, value: `-${money(sale.pointsBurned)}`, minus: true }]
                : []),
              { label: '实付', value: money(sale.paidFen), strong: true },
              ...(sale.refundedFen > 0 ? [{ label: '已退款', value: money(sale.refundedFen), id: `sale-${sale.id}-refunded` }] : []),
              { label: '本单积分', value: `+${sale.pointsEarned}` },
            ]}
          />
          {sale.channel === 'wechat-pay' ? (
            <View className='sale-card__wechat' onClick={() => openPage('/staff/pay-orders/index')}>
              <Text>微信支付的订单原路退回，请在「支付订单」中退款 ›</Text>
            </View>
          ) : (
            <RefundBox sale={sale} onRefunded={onRefunded} />
          )}
        </View>
      ) : null}
    </View>
  );
}
