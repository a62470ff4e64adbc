import { Text, View } from '@tarojs/components';
import type { ClaimCentreEntry } from '@member/shared';
import { couponLabel } from '../../utils/coupons';
import './index.scss';

export interface CampaignBannerProps {
  entry: ClaimCentreEntry;
  /** The badge's colour (brand accent). */
  accent?: string;
  onOpen: () => void;
}

/** 首页's campaign slot: the newest coupon the member can claim, tapping opens the claim centre. */
export default function CampaignBanner({ entry, accent, onOpen }: CampaignBannerProps) {
  const { template } = entry;
  return (
    <View id='home-banner' className='campaign-banner' onClick={onOpen}>
      <View className='campaign-banner__text'>
        <Text className='campaign-banner__badge' style={accent ? { background: accent } : undefined}>
          会员专享
        </Text>
        <Text id='home-banner-title' className='campaign-banner__title'>
          {couponLabel(template.terms)}
        </Text>
        <Text className='campaign-banner__name'>
          {template.name}
          {entry.remainingStock > 0 && entry.remainingStock <= 50 ? ` · 仅剩 ${entry.remainingStock} 张` : ''}
        </Text>
      </View>
      <View className='campaign-banner__action'>
        <Text>立即领取</Text>
      </View>
    </View>
  );
}
