import { openPage } from '@/utils/navigation';
import { useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import ActionButton from '../../components/ActionButton';
import { SubscribeMoment, type ClaimCentreEntry } from '@member/shared';
import { claimCoupon, ensureSession, getClaimCentre, getWallet, messageOf, PendingKeys } from '../../api';
import CouponTicket from '../../components/CouponTicket';
import StateView from '../../components/StateView';
import { useLoader } from '../../hooks/useLoader';
import { arrangeClaimCentre, needsToJoin, usableByTemplate, type ArrangedEntry } from '../../utils/claim-centre';
import { templateValidityText } from '../../utils/coupons';
import { askAtMoment, warmMessagePreferences } from '../../utils/subscribe';
import './index.scss';

/** Below this many left, the ticket says "仅剩 N 张" so members know to hurry. */
const LOW_STOCK = 50;

interface ClaimCentreData {
  entries: ArrangedEntry[];
  /** Not a member yet: one 开通会员 action instead of a grey reason on every coupon. */
  visitor: boolean;
}

async function fetchClaimCentre(): Promise<ClaimCentreData> {
  const session = await ensureSession();
  // Ready before the member taps 立即领取, which asks for coupon messages inside the tap.
  if (session.member.joined) void warmMessagePreferences().catch(() => undefined);
  const [entries, wallet] = await Promise.all([
    getClaimCentre(),
    // What the member already holds, for 去使用; a visitor holds nothing.
    session.member.joined ? getWallet('usable').catch(() => null) : Promise.resolve(null),
  ]);
  return {
    entries: arrangeClaimCentre(entries, usableByTemplate(wallet?.coupons ?? [])),
    visitor: !session.member.joined || needsToJoin(entries),
  };
}

const GROUP_TITLES = { claimable: '可领取', claimed: '已领取', blocked: '暂不可领' } as const;

export default function ClaimCentrePage() {
  const { state, reload } = useLoader(fetchClaimCentre, { blockedBy: ['MEMBER_NOT_JOINED'] });
  const [claiming, setClaiming] = useState<number | null>(null);
  const [errors, setErrors] = useState<Record<number, string>>({});
  const keys = useRef(new PendingKeys()).current;

  const claim = async (entry: ClaimCentreEntry) => {
    // First, inside the tap (WeChat's rule): offer the coupon reminders. The claim does not wait for the answer,
    // but its toast waits for the sheet to close, so the toast never covers the sheet.
    const asking = askAtMoment(SubscribeMoment.CouponClaimed).catch(() => undefined);
    const templateId = entry.template.id;
    const action = `claim-${templateId}`;
    setClaiming(templateId);
    setErrors((current) => ({ ...current, [templateId]: '' }));
    try {
      await claimCoupon(templateId, keys.keyFor(action));
      keys.settle(action);
      void asking.then(() => Taro.showToast({ title: '领取成功', icon: 'success' }));
    } catch (error) {
      keys.settle(action, error);
      setErrors((current) => ({ ...current, [templateId]: messageOf(error) }));
    } finally {
      setClaiming(null);
    }
    // The stock left, my count and whether I may claim again all changed: ask the server, never guess.
    await reload(true);
  };

  if (state.kind === 'loading') {
    return (
      <View className='page claim-page'>
        <StateView status='loading' idPrefix='claim-page' title='正在加载优惠券…' />
      </View>
    );
  }
  if (state.kind === 'error') {
    return (
      <View className='page claim-page'>
        <StateView status='error' idPrefix='claim-page' title='优惠券加载失败' message={state.message} onRetry={() => void reload(false)} />
      </View>
    );
  }
  if (state.kind === 'blocked') {
    return (
      <View className='page claim-page'>
        <StateView
          status='empty'
          idPrefix='claim-page'
          title='开通会员后即可领券'
          message='会员专享券仅限会员领取'
          retryText='去开通会员'
          onRetry={() => openPage('/pages/join/index')}
        />
      </View>
    );
  }

  const { entries, visitor } = state.data;
  const ticket = ({ entry, group, couponId }: ArrangedEntry, index: number) => {
    const { template } = entry;
    const meta = [templateValidityText(template.validity)];
    if (!visitor && template.perMemberLimit > 1) meta.push(`每人限领 ${template.perMemberLimit} 张，已领 ${entry.claimedByMe} 张`);
    if (entry.canClaim && entry.remainingStock <= LOW_STOCK) meta.push(`仅剩 ${entry.remainingStock} 张`);
    const busy = claiming === template.id;
    let action: JSX.Element | null = null;
    if (group === 'claimable') {
      action = (
        <ActionButton
          id={`claim-${template.id}`}
          className='coupon-ticket__cta'
          loading={busy}
          disabled={claiming !== null || undefined}
          onClick={() => void claim(entry)}
        >
          {busy ? '领取中' : entry.claimedByMe > 0 ? '再领一张' : '立即领取'}
        </ActionButton>
      );
    } else if (group === 'claimed' && couponId !== null) {
      action = (
        <ActionButton
          id={`claim-use-${template.id}`}
          className='coupon-ticket__cta coupon-ticket__cta--ghost'
          onClick={() => openPage(`/pages/pay/index?couponId=${couponId}`)}
        >
          去使用
        </ActionButton>
      );
    } else if (!visitor) {
      action = (
        <Text id={`claim-${template.id}`} className='coupon-ticket__blocked'>
          {entry.blockedText ?? '暂不可领'}
        </Text>
      );
    }
    const previous = index > 0 ? entries[index - 1].group : null;
    return (
      <View key={template.id}>
        {!visitor && group !== previous ? (
          <Text id={`claim-group-${group}`} className='claim-page__group'>
            {GROUP_TITLES[group]}
          </Text>
        ) : null}
        <CouponTicket
          id={`claim-entry-${template.id}`}
          terms={template.terms}
          name={template.name}
          meta={meta}
          muted={group === 'blocked' && !visitor}
          action={action}
          footer={
            errors[template.id] ? (
              <Text id={`claim-error-${template.id}`} className='coupon-ticket__error'>
                {errors[template.id]}
              </Text>
            ) : null
          }
        />
      </View>
    );
  };

  return (
    <View className='page claim-page'>
      {visitor ? (
        <View id='claim-join' className='claim-page__join'>
          <View className='claim-page__join-text'>
            <Text className='claim-page__join-title'>开通会员，免费领券</Text>
            <Text className='claim-page__join-desc'>以下优惠券为会员专享，开通后即可领取</Text>
          </View>
          <ActionButton id='claim-join-button' className='claim-page__join-button' onClick={() => openPage('/pages/join/index')}>
            开通会员
          </ActionButton>
        </View>
      ) : (
        <View id='goto-wallet' className='link-row claim-page__wallet' onClick={() => openPage('/pages/wallet/index')}>
          <Text>我的券包</Text>
          <Text className='link-row__arrow'>›</Text>
        </View>
      )}

      {entries.length === 0 ? (
        <StateView status='empty' idPrefix='claim-page' title='暂时没有可领的券' message='新券上线后会在这里出现，稍后再来看看' />
      ) : (
        entries.map(ticket)
      )}
    </View>
  );
}
