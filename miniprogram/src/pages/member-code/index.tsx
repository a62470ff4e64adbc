import { Text, View } from '@tarojs/components';
import type { MemberCard } from '@member/shared';
import { ensureSession, getMemberCard } from '../../api';
import MemberCode from '../../components/MemberCode';
import PageGate, { gateStatusOf } from '../../components/PageGate';
import { useBrand, useNavigationBarColor } from '../../hooks/useBrand';
import { useLoader } from '../../hooks/useLoader';
import { useMemberCode } from '../../hooks/useMemberCode';
import platform from '../../platform';
import { tierArtOf, tierCardStyle } from '../../utils/brand';
import './index.scss';

async function fetchCard(): Promise<MemberCard | null> {
  await ensureSession();
  const card = await getMemberCard();
  return card.member.joined ? card : null;
}

/**
 * 会员码: the rotating code full width for the till's scanner. While it is on screen the code refreshes by
 * itself, and in WeChat the screen is turned up to full brightness (restored when the tab is left).
 */
export default function MemberCodePage() {
  const brand = useBrand();
  const { state, reload } = useLoader(fetchCard, { blockedBy: ['MEMBER_NOT_JOINED'] });
  const card = state.kind === 'ready' ? state.data : null;
  const memberCode = useMemberCode(card !== null);
  const status = state.kind === 'ready' && !card ? 'not-joined' : gateStatusOf(state);
  useNavigationBarColor(card ? tierArtOf(brand, card.tier.code)?.colors[0] : null);

  if (!card) {
    return (
      <View className='page member-code-page'>
        <PageGate
          status={status}
          idPrefix='member-code-page'
          errorMessage={state.kind === 'error' ? state.message : undefined}
          onRetry={() => void reload(false)}
          notJoinedMessage='开通会员后出示会员码，消费即可累积积分、使用优惠券'
        />
      </View>
    );
  }

  const art = tierArtOf(brand, card.tier.code);
  return (
    <View className='page member-code-page member-code-page--ready' style={tierCardStyle(art)}>
      <View className='member-code-page__who'>
        <Text className='member-code-page__name'>{card.member.nickname?.trim() || '微信用户'}</Text>
        <Text id='member-code-tier' className='member-code-page__tier'>
          {card.tier.name}
        </Text>
        <Text className='member-code-page__points'>{card.pointsBalance} 积分</Text>
      </View>
      <MemberCode
        code={memberCode.code}
        status={memberCode.status}
        secondsLeft={memberCode.secondsLeft}
        refreshing={memberCode.refreshing}
        errorMessage={memberCode.errorMessage}
        onRefresh={memberCode.refresh}
        title={brand ? `${brand.name} 会员码` : '会员码'}
      />
      <Text id='member-code-brightness' className='member-code-page__hint'>
        {platform.name === 'weapp' ? '已为你调高屏幕亮度，离开本页后恢复' : '扫码前请调高屏幕亮度，便于收银台识别'}
      </Text>
      <Text className='member-code-page__hint'>会员码定时刷新，截图无效，请勿转发他人</Text>
    </View>
  );
}
