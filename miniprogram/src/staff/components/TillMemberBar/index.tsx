import { Image, Text, View } from '@tarojs/components';
import type { IdentifiedMemberView } from '@member/shared';
import { mediaUrl } from '../../../api/http';
import { maskName } from '../../../utils/till';
import './index.scss';

export interface TillMemberBarProps {
  member: IdentifiedMemberView;
  onPurchase: () => void;
  onRedeem: () => void;
  /** 登记投诉: a case for this member, logged at the till. */
  onFeedback?: () => void;
  onClear: () => void;
}

/**
 * The member being served, pinned to the top of the till while the clerk scrolls: masked name, tier, points and
 * usable coupons, and right below it what the clerk does next (记录消费, 核销优惠券) or 清除 for the next customer.
 */
export default function TillMemberBar({ member, onPurchase, onRedeem, onFeedback, onClear }: TillMemberBarProps) {
  const name = maskName(member.nickname);
  return (
    <View id='staff-member' className='till-member'>
      <View className={`till-member__card till-member__card--${member.tier.code}`}>
        <View className='till-member__top'>
          <View className='till-member__avatar'>
            {member.avatarUrl ? (
              <Image className='till-member__avatar-image' src={mediaUrl(member.avatarUrl)} mode='aspectFill' />
            ) : (
              <Text>{member.nickname?.trim() ? name.slice(0, 1) : '会'}</Text>
            )}
          </View>
          <View className='till-member__who'>
            <View className='till-member__name-row'>
              <Text id='staff-member-name' className='till-member__name'>
                {name}
              </Text>
              <Text id='staff-member-tier' className='till-member__tier'>
                {member.tier.name}
              </Text>
            </View>
            <Text className='till-member__meta'>
              <Text id='staff-member-phone'>{member.phoneMasked ?? '未绑定手机'}</Text>
              {' · 会员号 '}
              <Text id='staff-member-id'>{member.id}</Text>
            </Text>
          </View>
          <View id='staff-member-clear' className='till-member__clear' onClick={onClear}>
            <Text>清除</Text>
          </View>
        </View>
        <View className='till-member__stats'>
          <View className='till-member__stat'>
            <Text id='staff-member-points' className='till-member__value'>
              {member.pointsBalance}
            </Text>
            <Text className='till-member__label'>积分</Text>
          </View>
          <View className='till-member__stat'>
            <Text id='staff-member-coupons' className='till-member__value'>
              {member.couponCount}
            </Text>
            <Text className='till-member__label'>可用券</Text>
          </View>
        </View>
      </View>
      <View className='till-member__actions'>
        <View id='staff-purchase-member' className='till-member__action till-member__action--primary' onClick={onPurchase}>
          <Text>记录消费</Text>
        </View>
        <View id='staff-redeem-member' className='till-member__action' onClick={onRedeem}>
          <Text>核销优惠券</Text>
        </View>
        {onFeedback ? (
          <View id='staff-feedback-member' className='till-member__action' onClick={onFeedback}>
            <Text>登记投诉</Text>
          </View>
        ) : null}
      </View>
    </View>
  );
}
