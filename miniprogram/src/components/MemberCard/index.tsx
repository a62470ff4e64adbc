import { Image, Text, View } from '@tarojs/components';
import type { MemberCard as MemberCardData } from '@member/shared';
import TierProgress from '../TierProgress';
import './index.scss';
import { mediaUrl } from '../../api/http';
import { businessDate } from '../../utils/dates';

export interface MemberCardProps {
  card: MemberCardData;
  /** Name shown when the member has not set a nickname. */
  fallbackName?: string;
}

/** The member card itself: who, which tier (a colour per tier), points, coupons and the way to the next tier. */
export default function MemberCard({ card, fallbackName = '微信用户' }: MemberCardProps) {
  const name = card.member.nickname?.trim() || fallbackName;
  return (
    <View id='member-card' className={`member-card member-card--${card.tier.code}`}>
      <View className='member-card__head'>
        <View className='member-card__avatar'>
          {card.member.avatarUrl ? (
            <Image className='member-card__avatar-img' src={mediaUrl(card.member.avatarUrl)} mode='aspectFill' />
          ) : (
            <Text>{name.slice(0, 1)}</Text>
          )}
        </View>
        <View className='member-card__who'>
          <Text id='card-nickname' className='member-card__name'>
            {name}
          </Text>
          {card.member.phoneMasked ? <Text className='member-card__phone'>{card.member.phoneMasked}</Text> : null}
        </View>
        <Text id='card-tier' className='member-card__tier'>
          {card.tier.name}
        </Text>
      </View>

      <View className='member-card__stats'>
        <View className='member-card__stat'>
          <Text id='card-points' className='member-card__stat-value'>
            {card.pointsBalance}
          </Text>
          <Text className='member-card__stat-label'>积分</Text>
        </View>
        <View className='member-card__divider' />
        <View className='member-card__stat'>
          <Text id='card-coupons' className='member-card__stat-value'>
            {card.couponCount}
          </Text>
          <Text className='member-card__stat-label'>优惠券</Text>
        </View>
      </View>

      {card.doublePointsUntil ? (
        <Text id='card-double-points' className='member-card__double'>
          生日礼遇：消费双倍积分，至 {businessDate(card.doublePointsUntil)}
        </Text>
      ) : null}

      <TierProgress
        nextTierName={card.nextTier ? card.nextTier.name : null}
        remainingFen={card.remainingToNextTierFen}
        percent={card.progressPercent}
      />
    </View>
  );
}
