import { useCallback, useEffect, useState } from 'react';
import { useDidShow } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import type { ClaimCentreEntry, MemberCard as MemberCardData, MessagePreferencesResponse, StaffRole } from '@member/shared';
import { currentSession, ensureSession, getClaimCentre, getMemberCard, loadPublicConfig } from '../../api';
import ActionButton from '../../components/ActionButton';
// Before the card: StateView's styles come before TierProgress's in every page (one CSS order for the shared chunk).
import PageGate, { gateStatusOf } from '../../components/PageGate';
import BrandHeader from '../../components/BrandHeader';
import CampaignBanner from '../../components/CampaignBanner';
import IconGrid, { type IconGridItem } from '../../components/IconGrid';
import MemberCard from '../../components/MemberCard';
import PendingOrderBanner from '@/components/PendingOrderBanner';
import StaffEntry from '../../components/StaffEntry';
import { useBrand, useNavigationBarColor } from '../../hooks/useBrand';
import { useLoader } from '../../hooks/useLoader';
import { bannerCouponOf, tierArtOf } from '../../utils/brand';
import { messagesSummary } from '../../utils/messages';
import { openPage } from '../../utils/navigation';
import { onMessagePreferences, peekMessagePreferences, warmMessagePreferences } from '../../utils/subscribe';
import './index.scss';

interface Home {
  card: MemberCardData | null;
  staffRole: StaffRole | null;
}

const WELCOME_BENEFITS = [
  { title: '消费积分', text: '到店、线上消费都积分，积分可抵现' },
  { title: '等级权益', text: '消费升级，享更高积分倍数与会员价' },
  { title: '生日礼遇', text: '生日月专属好礼与双倍积分' },
  { title: '会员专享券', text: '不定期发放会员专属优惠券' },
];

async function fetchHome(): Promise<Home> {
  const session = await ensureSession();
  const card = await getMemberCard();
  return { card: card.member.joined ? card : null, staffRole: session.staffRole };
}

/** 首页: the brand, the member card (the code lives on its own tab), campaigns and the member centre's services. */
export default function CardPage() {
  const brand = useBrand();
  useNavigationBarColor(brand?.primaryColor);
  const { state, reload } = useLoader(fetchHome, { blockedBy: ['MEMBER_NOT_JOINED'] });
  const [payEnabled, setPayEnabled] = useState(false);
  const [banner, setBanner] = useState<ClaimCentreEntry | null>(null);
  const [messages, setMessages] = useState<MessagePreferencesResponse | null>(peekMessagePreferences);
  const card = state.kind === 'ready' ? state.data.card : null;
  const joined = card !== null;

  useEffect(() => {
    // Paying in the app is offered only where WeChat Pay is set up.
    loadPublicConfig().then(
      (config) => setPayEnabled(config.payEnabled),
      () => undefined,
    );
  }, []);
  // Every newer answer (a report from another page, a switch on the messages page) updates the grid's note.
  useEffect(() => onMessagePreferences(setMessages), []);

  const loadExtras = useCallback(() => {
    // The banner and the 消息通知 note never hold the page up; without them the slot is simply hidden.
    getClaimCentre().then(
      (entries) => setBanner(bannerCouponOf(entries)),
      () => setBanner(null),
    );
    void warmMessagePreferences().catch(() => undefined);
  }, []);
  useEffect(() => {
    if (joined) loadExtras();
  }, [joined, loadExtras]);
  useDidShow(() => {
    if (joined) loadExtras();
  });

  const status = state.kind === 'ready' && !state.data.card ? 'not-joined' : gateStatusOf(state);
  const staffRole = state.kind === 'ready' ? state.data.staffRole : (currentSession()?.staffRole ?? null);
  const primary = brand?.primaryColor ?? '#e8453c';

  if (status === 'not-joined') {
    return (
      <View className='page card-page'>
        <BrandHeader brand={brand}>
          <View id='card-welcome' className='welcome'>
            <Text className='welcome__eyebrow'>MEMBERSHIP</Text>
            <Text className='welcome__title'>成为会员，尊享专属权益</Text>
            <Text className='welcome__subtitle'>开通即得会员卡，积分、等级、生日礼遇一卡尽享</Text>
            <ActionButton id='card-join' className='welcome__join' onClick={() => openPage('/pages/join/index')}>
              立即开通会员
            </ActionButton>
          </View>
        </BrandHeader>
        <View className='section welcome-benefits'>
          <Text className='section-title'>会员权益</Text>
          {WELCOME_BENEFITS.map((benefit) => (
            <View key={benefit.title} className='welcome-benefits__item'>
              <View className='welcome-benefits__dot' style={{ background: primary }} />
              <View className='welcome-benefits__text'>
                <Text className='welcome-benefits__title'>{benefit.title}</Text>
                <Text className='welcome-benefits__desc'>{benefit.text}</Text>
              </View>
            </View>
          ))}
        </View>
        {staffRole ? <StaffEntry /> : null}
      </View>
    );
  }

  if (!card) {
    return (
      <View className='page card-page'>
        <PageGate
          status={status}
          idPrefix='card-page'
          loadingTitle='正在打开会员卡…'
          errorTitle='会员卡加载失败'
          errorMessage={state.kind === 'error' ? state.message : undefined}
          onRetry={() => void reload(false)}
        />
      </View>
    );
  }

  // Eight services in two rows; 付款 leads where WeChat Pay is set up (券包 is a tab anyway).
  const pay: IconGridItem = { id: 'card-pay', label: '付款', glyph: 'pay', color: '#1a9b5b', onClick: () => openPage('/pages/pay/index') };
  const wallet: IconGridItem = {
    id: 'goto-wallet-grid',
    label: '我的券包',
    glyph: 'wallet',
    color: '#e0662a',
    onClick: () => openPage('/pages/wallet/index'),
  };
  const services: IconGridItem[] = [
    ...(payEnabled ? [pay] : []),
    { id: 'goto-coupons', label: '领券中心', glyph: 'coupon', color: '#e8453c', onClick: () => openPage('/pages/coupons/index') },
    { id: 'goto-points-shop', label: '积分商城', glyph: 'gift', color: '#f08c1a', onClick: () => openPage('/pages/points-shop/index') },
    { id: 'goto-tier', label: '等级权益', glyph: 'crown', color: '#b8862b', onClick: () => openPage('/pages/tier/index') },
    { id: 'goto-orders', label: '我的订单', glyph: 'orders', color: '#3b7be0', onClick: () => openPage('/pages/orders/index') },
    {
      id: 'card-messages',
      label: '消息通知',
      glyph: 'bell',
      color: '#7a5bd6',
      note: messages ? messagesSummary(messages) : null,
      noteId: 'card-messages-summary',
      onClick: () => openPage('/pages/messages/index'),
    },
    { id: 'goto-points-detail', label: '积分明细', glyph: 'points', color: '#d9583b', onClick: () => openPage('/pages/points/index') },
    ...(payEnabled ? [] : [wallet]),
    { id: 'goto-service', label: '门店客服', glyph: 'service', color: '#2a9bb5', onClick: () => openPage('/pages/service/index') },
  ];

  return (
    <View className='page card-page'>
      <BrandHeader brand={brand}>
        <MemberCard
          card={card}
          art={tierArtOf(brand, card.tier.code)}
          onShowCode={() => openPage('/pages/member-code/index')}
          onOpenProfile={() => openPage('/pages/profile/index')}
          onOpenPoints={() => openPage('/pages/points/index')}
          onOpenCoupons={() => openPage('/pages/wallet/index')}
          onOpenTier={() => openPage('/pages/tier/index')}
        />
      </BrandHeader>
      <PendingOrderBanner />
      {banner ? <CampaignBanner entry={banner} accent={brand?.accentColor} onOpen={() => openPage('/pages/coupons/index')} /> : null}
      <IconGrid id='home-services' items={services} />
      {staffRole ? <StaffEntry /> : null}
      {brand ? <Text className='card-page__foot'>{`${brand.name} · ${brand.slogan}`}</Text> : null}
    </View>
  );
}
