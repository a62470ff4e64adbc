import { openPage } from '@/utils/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import ActionButton from '../../components/ActionButton';
import type { MemberCard as MemberCardData, MessagePreferencesResponse, StaffRole } from '@member/shared';
import { ensureSession, getMemberCard, isApiError, loadPublicConfig, messageOf } from '../../api';
import MemberCard from '../../components/MemberCard';
import PendingOrderBanner from '../../components/PendingOrderBanner';
import MemberCode from '../../components/MemberCode';
import StateView from '../../components/StateView';
import { useMemberCode } from '../../hooks/useMemberCode';
import { messagesSummary } from '../../utils/messages';
import { onMessagePreferences, peekMessagePreferences, warmMessagePreferences } from '../../utils/subscribe';
import './index.scss';

type CardState = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'welcome' } | { kind: 'ready'; card: MemberCardData };

const WELCOME_BENEFITS = [
  { title: '消费积分', text: '每消费 1 元得 1 积分，积分可抵现' },
  { title: '等级权益', text: '银卡、金卡、钻石会员享更多折扣与礼遇' },
  { title: '生日礼遇', text: '生日月专属好礼与双倍积分' },
  { title: '会员专享券', text: '不定期发放会员专属优惠券' },
];

export default function CardPage() {
  const [state, setState] = useState<CardState>({ kind: 'loading' });
  const [staffRole, setStaffRole] = useState<StaffRole | null>(null);
  const [payEnabled, setPayEnabled] = useState(false);
  const [messages, setMessages] = useState<MessagePreferencesResponse | null>(peekMessagePreferences);
  const loading = useRef(false);
  const hasCard = useRef(false);

  /** `quiet`: keep what is on screen while reloading (coming back to the page, pull-down refresh). */
  const load = useCallback(async (quiet: boolean) => {
    if (loading.current) return;
    loading.current = true;
    if (!quiet) setState({ kind: 'loading' });
    try {
      const session = await ensureSession();
      setStaffRole(session.staffRole);
      // Paying in the app is offered only where WeChat Pay is set up (the session already loaded the config).
      void loadPublicConfig().then(
        (config) => setPayEnabled(config.payEnabled),
        () => undefined,
      );
      const card = await getMemberCard();
      hasCard.current = card.member.joined;
      setState(card.member.joined ? { kind: 'ready', card } : { kind: 'welcome' });
      // The 消息通知 line; the card never waits for it, and without it the line just shows no count.
      if (card.member.joined) void warmMessagePreferences().catch(() => undefined);
    } catch (error) {
      if (isApiError(error) && error.code === 'MEMBER_NOT_JOINED') {
        hasCard.current = false;
        setState({ kind: 'welcome' });
      } else if (quiet && hasCard.current) {
        void Taro.showToast({ title: messageOf(error), icon: 'none' });
      } else {
        setState({ kind: 'error', message: messageOf(error) });
      }
    } finally {
      loading.current = false;
    }
  }, []);

  useEffect(() => {
    void load(false);
  }, [load]);
  // Every newer answer (a report from another page, a switch on the messages page) updates the line.
  useEffect(() => onMessagePreferences(setMessages), []);
  // Back from join / profile: refresh quietly (the first show is covered by the initial load).
  useDidShow(() => {
    if (hasCard.current) void load(true);
  });
  usePullDownRefresh(() => {
    void load(true).finally(() => Taro.stopPullDownRefresh());
  });

  const memberCode = useMemberCode(state.kind === 'ready');

  if (state.kind === 'loading') {
    return (
      <View className='page card-page'>
        <StateView status='loading' idPrefix='card-page' title='正在打开会员卡…' />
      </View>
    );
  }

  if (state.kind === 'error') {
    return (
      <View className='page card-page'>
        <StateView status='error' idPrefix='card-page' title='会员卡加载失败' message={state.message} onRetry={() => void load(false)} />
      </View>
    );
  }

  if (state.kind === 'welcome') {
    return (
      <View className='page card-page'>
        <View id='card-welcome' className='welcome'>
          <Text className='welcome__eyebrow'>MEMBERSHIP</Text>
          <Text className='welcome__title'>成为会员，尊享专属权益</Text>
          <Text className='welcome__subtitle'>开通即得会员卡，消费积分、等级升级、生日礼遇一卡尽享</Text>
        </View>
        <View className='section welcome-benefits'>
          {WELCOME_BENEFITS.map((benefit) => (
            <View key={benefit.title} className='welcome-benefits__item'>
              <View className='welcome-benefits__dot' />
              <View className='welcome-benefits__text'>
                <Text className='welcome-benefits__title'>{benefit.title}</Text>
                <Text className='welcome-benefits__desc'>{benefit.text}</Text>
              </View>
            </View>
          ))}
        </View>
        <ActionButton
          id='card-join'
          className='primary-button card-page__join'
          onClick={() => void Taro.navigateTo({ url: '/pages/join/index' })}
        >
          开通会员
        </ActionButton>
        {staffRole ? <StaffEntry /> : null}
      </View>
    );
  }

  const { card } = state;
  return (
    <View className='page card-page'>
      <PendingOrderBanner />
      <MemberCard card={card} />

      <View className='card-page__code'>
        <MemberCode
          code={memberCode.code}
          status={memberCode.status}
          secondsLeft={memberCode.secondsLeft}
          refreshing={memberCode.refreshing}
          errorMessage={memberCode.errorMessage}
          onRefresh={memberCode.refresh}
        />
      </View>

      {payEnabled ? (
        <View id='card-pay' className='card-page__pay' onClick={() => void Taro.navigateTo({ url: '/pages/pay/index' })}>
          <View className='card-page__pay-icon'>
            <Text>¥</Text>
          </View>
          <View className='card-page__pay-text'>
            <Text className='card-page__pay-title'>付款</Text>
            <Text className='card-page__pay-sub'>微信支付，可用优惠券和积分抵现</Text>
          </View>
          <Text className='card-page__pay-arrow'>›</Text>
        </View>
      ) : null}

      {card.tier.benefits.length > 0 ? (
        <View id='card-benefits' className='section'>
          <Text className='section-title'>{card.tier.name}权益</Text>
          {card.tier.benefits.map((benefit) => (
            <View key={benefit} className='card-page__benefit'>
              <Text className='card-page__benefit-dot'>·</Text>
              <Text>{benefit}</Text>
            </View>
          ))}
        </View>
      ) : null}

      <View className='card-page__shortcuts'>
        <View id='goto-coupons' className='card-page__shortcut' onClick={() => void Taro.navigateTo({ url: '/pages/coupons/index' })}>
          <Text className='card-page__shortcut-title'>领券中心</Text>
          <Text className='card-page__shortcut-sub'>会员专享券</Text>
        </View>
        <View id='goto-wallet' className='card-page__shortcut' onClick={() => openPage('/pages/wallet/index')}>
          <Text className='card-page__shortcut-title'>我的券包</Text>
          <Text className='card-page__shortcut-sub'>{card.couponCount > 0 ? `${card.couponCount} 张可用` : '暂无可用券'}</Text>
        </View>
      </View>

      <View id='goto-points' className='link-row' onClick={() => void Taro.navigateTo({ url: '/pages/points/index' })}>
        <Text>积分明细</Text>
        <Text className='link-row__arrow'>›</Text>
      </View>
      <View id='goto-tier' className='link-row' onClick={() => void Taro.navigateTo({ url: '/pages/tier/index' })}>
        <Text>会员等级与权益</Text>
        <Text className='link-row__arrow'>›</Text>
      </View>
      <View id='card-messages' className='link-row' onClick={() => void Taro.navigateTo({ url: '/pages/messages/index' })}>
        <Text>消息通知</Text>
        <View className='link-row__end'>
          {messages ? (
            <Text id='card-messages-summary' className='link-row__value'>
              {messagesSummary(messages)}
            </Text>
          ) : null}
          <Text className='link-row__arrow'>›</Text>
        </View>
      </View>
      <View id='goto-profile' className='link-row' onClick={() => void Taro.navigateTo({ url: '/pages/profile/index' })}>
        <Text>个人资料</Text>
        <Text className='link-row__arrow'>›</Text>
      </View>
      {staffRole ? <StaffEntry /> : null}
    </View>
  );
}

function StaffEntry() {
  return (
    <View id='staff-entry' className='link-row link-row--staff' onClick={() => void Taro.navigateTo({ url: '/staff/home/index' })}>
      <Text>员工入口</Text>
      <Text className='link-row__arrow'>›</Text>
    </View>
  );
}
