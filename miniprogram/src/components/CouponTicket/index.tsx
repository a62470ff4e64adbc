import type { ReactNode } from 'react';
import { Text, View } from '@tarojs/components';
import type { CouponTerms } from '@member/shared';
import { couponLabel, couponStub } from '../../utils/coupons';
import './index.scss';

export interface CouponTicketProps {
  terms: CouponTerms;
  name: string;
  /** Small grey lines under the name: validity, "仅剩 12 张", … */
  meta?: string[];
  /** An orange tag beside the label, e.g. "今天过期". */
  badge?: string | null;
  /** Greyed out (used, expired, cannot be claimed). */
  muted?: boolean;
  /** A rubber stamp over the ticket: "已使用", "已过期". */
  stamp?: string | null;
  /** The right-hand side: a button, an arrow. */
  action?: ReactNode;
  /** A line under the ticket (an error after a failed claim). */
  footer?: ReactNode;
  id?: string;
  onClick?: () => void;
}

/**
 * One coupon drawn as a ticket: a coloured stub with the figure ("¥20", "8.5折", "赠") and its condition,
 * then the label from describeCouponTerms ("满200减20") in large type, the name and details.
 */
export default function CouponTicket({
  terms,
  name,
  meta = [],
  badge = null,
  muted = false,
  stamp = null,
  action,
  footer,
  id,
  onClick,
}: CouponTicketProps) {
  const stub = couponStub(terms);
  return (
    <View id={id} className={`coupon-ticket coupon-ticket--${terms.kind}${muted ? ' coupon-ticket--muted' : ''}`} onClick={onClick}>
      <View className='coupon-ticket__main'>
        <View className='coupon-ticket__stub'>
          <View className='coupon-ticket__figure'>
            {stub.prefix ? <Text className='coupon-ticket__prefix'>{stub.prefix}</Text> : null}
            <Text className='coupon-ticket__value'>{stub.value}</Text>
            {stub.suffix ? <Text className='coupon-ticket__suffix'>{stub.suffix}</Text> : null}
          </View>
          <Text className='coupon-ticket__condition'>{stub.condition}</Text>
        </View>
        <View className='coupon-ticket__body'>
          <View className='coupon-ticket__title'>
            <Text className='coupon-ticket__label'>{couponLabel(terms)}</Text>
            {badge ? <Text className='coupon-ticket__badge'>{badge}</Text> : null}
          </View>
          <Text className='coupon-ticket__name'>{name}</Text>
          {meta.map((line) => (
            <Text key={line} className='coupon-ticket__meta'>
              {line}
            </Text>
          ))}
        </View>
        {action ? <View className='coupon-ticket__action'>{action}</View> : null}
        {stamp ? <Text className='coupon-ticket__stamp'>{stamp}</Text> : null}
      </View>
      {footer ? <View className='coupon-ticket__footer'>{footer}</View> : null}
    </View>
  );
}
