import { useCallback, useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import type { CouponView, WalletResponse, WalletTab } from '@member/shared';
import { ensureSession, getWallet, peekPublicConfig } from '../../api';
import CouponTicket from '../../components/CouponTicket';
import StateView from '../../components/StateView';
import { useLoader } from '../../hooks/useLoader';
import { COUPON_STATUS_NAMES, expiryBadge, payWithCouponUrl } from '../../utils/coupons';
import { openPage } from '../../utils/navigation';
import { businessDate, businessDateTime } from '../../utils/dates';
import './index.scss';

const TABS: ReadonlyArray<{ tab: WalletTab; label: string; empty: string }> = [
  { tab: 'usable', label: '可使用', empty: '暂无可用的券' },
  { tab: 'held', label: '已锁定', empty: '没有待支付订单占用的券' },
  { tab: 'used', label: '已使用', empty: '还没有使用过优惠券' },
  { tab: 'expired', label: '已过期', empty: '没有过期的券' },
];

function isTab(value: unknown): value is WalletTab {
  return value === 'usable' || value === 'held' || value === 'used' || value === 'expired';
}

/** The lines under a coupon's name: when it can be used, or when it was used / ended. */
function couponMeta(coupon: CouponView): string[] {
  if (coupon.status === 'held') return ['待支付订单占用中，取消或超时后退回'];
  if (coupon.status === 'redeemed' && coupon.redeemedAt) return [`使用时间 ${businessDateTime(coupon.redeemedAt)}`];
  if (coupon.status === 'available' && coupon.notYetValid) {
    return [`${businessDateTime(coupon.validFrom)} 起可用`, `有效期至 ${businessDate(coupon.validUntil)}`];
  }
  return [`有效期至 ${businessDateTime(coupon.validUntil)}`];
}

export default function WalletPage() {
  const initialTab = Taro.getCurrentInstance().router?.params?.tab;
  const [tab, setTab] = useState<WalletTab>(isTab(initialTab) ? initialTab : 'usable');
  const fetchTab = useCallback(async (): Promise<WalletResponse> => {
    await ensureSession();
    return getWallet(tab);
  }, [tab]);
  // Back from a coupon's page (it may have been used at the till meanwhile) the tab reloads quietly.
  const { state, reload } = useLoader(fetchTab, { blockedBy: ['MEMBER_NOT_JOINED'] });

  const counts = state.kind === 'ready' ? state.data.counts : null;
  const current = TABS.find((t) => t.tab === tab) ?? TABS[0];

  return (
    <View className='page wallet-page'>
      <View className='wallet-tabs' ariaRole='tablist'>
        {TABS.map((t) => (
          <View
            key={t.tab}
            id={`wallet-tab-${t.tab}`}
            className={`wallet-tabs__tab${t.tab === tab ? ' wallet-tabs__tab--on' : ''}`}
            ariaRole='tab'
            ariaLabel={t.label}
            onClick={() => setTab(t.tab)}
          >
            <Text>{t.label}</Text>
            {counts ? <Text className='wallet-tabs__count'>{counts[t.tab]}</Text> : null}
          </View>
        ))}
      </View>

      {state.kind === 'loading' ? (
        <StateView status='loading' idPrefix='wallet-page' title='正在加载券包…' />
      ) : state.kind === 'error' ? (
        <StateView status='error' idPrefix='wallet-page' title='券包加载失败' message={state.message} onRetry={() => void reload(false)} />
      ) : state.kind === 'blocked' ? (
        <StateView
          status='empty'
          idPrefix='wallet-page'
          title='开通会员后即可领券'
          retryText='去开通会员'
          onRetry={() => openPage('/pages/join/index')}
        />
      ) : state.data.coupons.length === 0 ? (
        <StateView
          status='empty'
          idPrefix='wallet-page'
          title={current.empty}
          message={tab === 'usable' ? '去领券中心看看有哪些券可以领' : undefined}
          retryText='去领券'
          onRetry={tab === 'usable' ? () => openPage('/pages/coupons/index') : undefined}
        />
      ) : (
        <View id={`wallet-list-${tab}`}>
          {state.data.coupons.map((coupon) => (
            <CouponTicket
              key={coupon.id}
              id={`coupon-${coupon.id}`}
              terms={coupon.terms}
              name={coupon.name}
              meta={couponMeta(coupon)}
              badge={tab === 'usable' ? expiryBadge(coupon.daysLeft, peekPublicConfig()?.couponExpiringSoonDays) : null}
              muted={tab !== 'usable'}
              stamp={tab === 'usable' ? null : COUPON_STATUS_NAMES[coupon.status]}
              action={
                tab === 'usable' && !coupon.notYetValid ? (
                  <Text
                    id={`coupon-${coupon.id}-use`}
                    className='wallet-page__use'
                    onClick={(event) => {
                      // 去使用 pays with this coupon; the rest of the ticket opens its detail (the code for the till).
                      event.stopPropagation();
                      openPage(payWithCouponUrl(coupon.id));
                    }}
                  >
                    去使用
                  </Text>
                ) : null
              }
              onClick={() => openPage(`/pages/coupon/index?id=${coupon.id}`)}
            />
          ))}
          {state.data.coupons.length < state.data.counts[tab] ? (
            <Text id='wallet-more' className='wallet-page__more'>
              仅显示{tab === 'usable' ? '最早到期' : '最近'}的 {state.data.coupons.length} 张，共 {state.data.counts[tab]} 张
            </Text>
          ) : null}
        </View>
      )}

      {tab === 'usable' && state.kind === 'ready' && state.data.coupons.length > 0 ? (
        <View id='wallet-goto-coupons' className='link-row' onClick={() => openPage('/pages/coupons/index')}>
          <Text>领更多券</Text>
          <Text className='link-row__arrow'>›</Text>
        </View>
      ) : null}
    </View>
  );
}
