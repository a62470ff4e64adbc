import { Cell, CellGroup } from '@nutui/nutui-react-taro';
import '@nutui/nutui-react-taro/dist/es/packages/cell/style/css';
import '@nutui/nutui-react-taro/dist/es/packages/cellgroup/style/css';
import { Image, Text, View } from '@tarojs/components';
import type { MemberCard, StaffRole } from '@member/shared';
import { currentSession, ensureSession, getMemberCard } from '../../api';
import { mediaUrl } from '../../api/http';
import ActionButton from '../../components/ActionButton';
import { glyphImage, type GlyphName } from '../../components/IconGrid/glyphs';
import PageGate, { gateStatusOf } from '../../components/PageGate';
import StaffEntry from '../../components/StaffEntry';
import { useBrand } from '../../hooks/useBrand';
import { useLoader } from '../../hooks/useLoader';
import { tierArtOf, tierCardStyle } from '../../utils/brand';
import { openPage } from '../../utils/navigation';
import './index.scss';

interface Mine {
  card: MemberCard | null;
  staffRole: StaffRole | null;
}

async function fetchMine(): Promise<Mine> {
  const session = await ensureSession();
  const card = await getMemberCard();
  return { card: card.member.joined ? card : null, staffRole: session.staffRole };
}

interface Row {
  id: string;
  label: string;
  glyph: GlyphName;
  url: string;
  value?: string;
  /** Shown to members only (a visitor has no orders or points yet). */
  membersOnly?: boolean;
}

const SERVICE_ROWS: Row[] = [
  { id: 'mine-orders', label: '我的订单', glyph: 'orders', url: '/pages/orders/index', membersOnly: true },
  { id: 'mine-points', label: '我的积分', glyph: 'points', url: '/pages/points/index', membersOnly: true },
  { id: 'mine-tier', label: '会员等级', glyph: 'crown', url: '/pages/tier/index', membersOnly: true },
  { id: 'mine-messages', label: '消息通知', glyph: 'bell', url: '/pages/messages/index', membersOnly: true },
  { id: 'mine-feedback', label: '意见反馈', glyph: 'doc', url: '/pages/feedback/index', membersOnly: true },
  { id: 'mine-profile-cell', label: '个人资料', glyph: 'user', url: '/pages/profile/index', membersOnly: true },
];
const ABOUT_ROWS: Row[] = [
  { id: 'mine-privacy', label: '隐私政策', glyph: 'shield', url: '/pages/privacy/index' },
  { id: 'mine-agreement', label: '用户协议', glyph: 'doc', url: '/pages/agreement/index' },
  { id: 'mine-service', label: '联系客服', glyph: 'service', url: '/pages/service/index' },
  { id: 'mine-delete', label: '注销账号', glyph: 'leave', url: '/pages/account-delete/index', membersOnly: true },
];

function Rows({ rows, color }: { rows: Row[]; color: string }) {
  return (
    <CellGroup className='mine-page__group'>
      {rows.map((row, index) => (
        // The id sits on a wrapper: NutUI's Cell passes no id through, and tests tap the whole row.
        <View key={row.id} id={row.id}>
          <Cell
            clickable
            isLast={index === rows.length - 1}
            onClick={() => openPage(row.url)}
            title={
              <View className='mine-cell'>
                <Image className='mine-cell__icon' src={glyphImage(row.glyph, color)} />
                <Text>{row.label}</Text>
              </View>
            }
            extra={
              <View className='mine-cell__extra'>
                {row.value ? <Text className='mine-cell__value'>{row.value}</Text> : null}
                <Text className='mine-cell__arrow'>›</Text>
              </View>
            }
          />
        </View>
      ))}
    </CellGroup>
  );
}

/** 我的: who I am (tap → profile), my tier and points, my services, the policies, customer service and 注销. */
export default function MinePage() {
  const brand = useBrand();
  const { state, reload } = useLoader(fetchMine, { blockedBy: ['MEMBER_NOT_JOINED'] });
  const status = gateStatusOf(state);
  if (status === 'loading' || status === 'error') {
    return (
      <View className='page'>
        <PageGate
          status={status}
          idPrefix='mine-page'
          errorMessage={state.kind === 'error' ? state.message : undefined}
          onRetry={() => void reload(false)}
        />
      </View>
    );
  }
  const card = state.kind === 'ready' ? state.data.card : null;
  const staffRole = state.kind === 'ready' ? state.data.staffRole : (currentSession()?.staffRole ?? null);
  const color = brand?.primaryColor ?? '#e8453c';
  const name = card?.member.nickname?.trim() || (card ? '微信用户' : '您好，欢迎光临');
  const art = card ? tierArtOf(brand, card.tier.code) : null;

  return (
    <View className='page mine-page'>
      <View id='mine-header' className='mine-header' style={card ? tierCardStyle(art) : { background: color }}>
        <View id='mine-profile' className='mine-header__who' onClick={() => openPage(card ? '/pages/profile/index' : '/pages/join/index')}>
          <View className='mine-header__avatar'>
            {card?.member.avatarUrl ? (
              <Image className='mine-header__avatar-img' src={mediaUrl(card.member.avatarUrl)} mode='aspectFill' />
            ) : (
              <Text>{card ? name.slice(0, 1) : '会'}</Text>
            )}
          </View>
          <View className='mine-header__text'>
            <Text id='mine-nickname' className='mine-header__name'>
              {name}
            </Text>
            <Text className='mine-header__sub'>{card ? (card.member.phoneMasked ?? '') : '开通会员，尽享积分与专属礼遇'}</Text>
          </View>
          {card ? <Text className='mine-header__edit'>编辑资料 ›</Text> : null}
        </View>
        {card ? (
          <View className='mine-header__stats'>
            <View id='mine-tier-stat' className='mine-header__stat' onClick={() => openPage('/pages/tier/index')}>
              <Text className='mine-header__value'>{card.tier.name}</Text>
              <Text className='mine-header__label'>会员等级</Text>
            </View>
            <View className='mine-header__stat' onClick={() => openPage('/pages/points/index')}>
              <Text id='mine-points' className='mine-header__value'>
                {card.pointsBalance}
              </Text>
              <Text className='mine-header__label'>积分</Text>
            </View>
            <View className='mine-header__stat' onClick={() => openPage('/pages/wallet/index')}>
              <Text id='mine-coupons' className='mine-header__value'>
                {card.couponCount}
              </Text>
              <Text className='mine-header__label'>优惠券</Text>
            </View>
          </View>
        ) : (
          <ActionButton id='mine-join' className='mine-header__join' onClick={() => openPage('/pages/join/index')}>
            开通会员
          </ActionButton>
        )}
      </View>

      {card ? <Rows rows={SERVICE_ROWS} color={color} /> : null}
      <Rows rows={ABOUT_ROWS.filter((row) => card || !row.membersOnly)} color={color} />
      {staffRole ? <StaffEntry /> : null}
    </View>
  );
}
