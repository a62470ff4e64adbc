import { Image, Text, View } from '@tarojs/components';
import type { MemberCard as MemberCardData, TierCardArt } from '@member/shared';
import { glyphImage } from '../IconGrid/glyphs';
import TierProgress from '../TierProgress';
import './index.scss';
import { mediaUrl } from '../../api/http';
import { tierCardStyle } from '../../utils/brand';
import { businessDate } from '../../utils/dates';

export interface MemberCardProps {
  card: MemberCardData;
  /** The tier's card art from the brand config; without it the stylesheet's colours per tier. */
  art?: TierCardArt | null;
  /** Name shown when the member has not set a nickname. */
  fallbackName?: string;
  /** The 会员码 button on the card (首页 keeps the code on its own tab). */
  onShowCode?: () => void;
  onOpenProfile?: () => void;
  onOpenPoints?: () => void;
  onOpenCoupons?: () => void;
  onOpenTier?: () => void;
}

/** The member card itself: who, which tier (its own art), points, coupons and the way to the next tier. */
export default function MemberCard({
  card,
  art = null,
  fallbackName = '微信用户',
  onShowCode,
  onOpenProfile,
  onOpenPoints,
  onOpenCoupons,
  onOpenTier,
}: MemberCardProps) {
  const name = card.member.nickname?.trim() || fallbackName;
  return (
    <View id='member-card' className={`member-card member-card--${card.tier.code}`} style={tierCardStyle(art)}>
      <View className='member-card__head'>
        <View id='goto-profile' className='member-card__who-wrap' onClick={onOpenProfile}>
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
            <Text
              id='card-tier'
              className='member-card__tier'
              style={art ? { color: art.accent, borderColor: art.accent } : undefined}
              onClick={(event) => {
                if (!onOpenTier) return;
                event.stopPropagation();
                onOpenTier();
              }}
            >
              {card.tier.name} ›
            </Text>
          </View>
        </View>
        {onShowCode ? (
          <View id='card-show-code' className='member-card__code-button' onClick={onShowCode}>
            <Image className='member-card__code-icon' src={glyphImage('qr', '#ffffff')} />
            <Text>会员码</Text>
          </View>
        ) : null}
      </View>

      <View className='member-card__stats'>
        <View id='goto-points' className='member-card__stat' onClick={onOpenPoints}>
          <Text id='card-points' className='member-card__stat-value'>
            {card.pointsBalance}
          </Text>
          <Text className='member-card__stat-label'>积分</Text>
        </View>
        <View className='member-card__divider' />
        <View id='goto-wallet' className='member-card__stat' onClick={onOpenCoupons}>
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
        barColor={art?.accent}
      />
    </View>
  );
}
