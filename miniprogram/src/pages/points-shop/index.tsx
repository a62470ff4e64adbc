import { useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import ActionButton from '../../components/ActionButton';
import { SubscribeMoment, type PointsShopEntry } from '@member/shared';
import { ensureSession, exchangePoints, getPointsShop, messageOf, PendingKeys } from '../../api';
import CouponTicket from '../../components/CouponTicket';
import StateView from '../../components/StateView';
import { useLoader } from '../../hooks/useLoader';
import { templateValidityText } from '../../utils/coupons';
import { openPage } from '../../utils/navigation';
import { askAtMoment, warmMessagePreferences } from '../../utils/subscribe';

async function fetchShop(): Promise<PointsShopEntry[]> {
  await ensureSession();
  void warmMessagePreferences().catch(() => undefined);
  return getPointsShop();
}

/** Coupons priced in points: exchange with one tap (and a confirmation, since points are spent). */
export default function PointsShopPage() {
  const { state, reload } = useLoader(fetchShop, { blockedBy: ['MEMBER_NOT_JOINED'] });
  const [busy, setBusy] = useState<number | null>(null);
  const [errors, setErrors] = useState<Record<number, string>>({});
  const keys = useRef(new PendingKeys()).current;

  const exchange = async (entry: PointsShopEntry) => {
    const { id } = entry.template;
    // The exchange's toast waits for the subscription sheet to close, so it never covers it.
    let asking: Promise<unknown> = Promise.resolve();
    const confirmed = await Taro.showModal({
      title: '确认兑换',
      content: `使用 ${entry.pointsPrice} 积分兑换「${entry.template.name}」？`,
      confirmText: '兑换',
      // The tap on 兑换 is the member's tap: ask in the modal's own callback, as close to it as we can get (the
      // await below comes a tick later and may no longer count as a tap). The exchange does not wait for it.
      success: (result) => {
        if (result.confirm) asking = askAtMoment(SubscribeMoment.CouponClaimed).catch(() => undefined);
      },
    });
    if (!confirmed.confirm) return;
    const action = `exchange-${id}`;
    setBusy(id);
    setErrors((current) => ({ ...current, [id]: '' }));
    try {
      await exchangePoints(id, keys.keyFor(action));
      keys.settle(action);
      void asking.then(() => Taro.showToast({ title: '兑换成功', icon: 'success' }));
    } catch (error) {
      keys.settle(action, error);
      setErrors((current) => ({ ...current, [id]: messageOf(error) }));
    } finally {
      setBusy(null);
    }
    await reload(true);
  };

  if (state.kind === 'loading') {
    return (
      <View className='page shop-page'>
        <StateView status='loading' idPrefix='shop-page' title='正在加载积分商城…' />
      </View>
    );
  }
  if (state.kind !== 'ready') {
    return (
      <View className='page shop-page'>
        <StateView
          status={state.kind === 'error' ? 'error' : 'empty'}
          idPrefix='shop-page'
          title={state.kind === 'error' ? '积分商城加载失败' : '开通会员后即可兑换'}
          message={state.kind === 'error' ? state.message : undefined}
          retryText={state.kind === 'error' ? undefined : '开通会员'}
          onRetry={state.kind === 'error' ? () => void reload(false) : () => openPage('/pages/join/index')}
        />
      </View>
    );
  }

  return (
    <View className='page shop-page'>
      {state.data.length === 0 ? (
        <StateView status='empty' idPrefix='shop-page' title='暂时没有可兑换的券' message='敬请期待' />
      ) : (
        state.data.map((entry) => (
          <CouponTicket
            key={entry.template.id}
            id={`shop-entry-${entry.template.id}`}
            terms={entry.template.terms}
            name={entry.template.name}
            meta={[`${entry.pointsPrice} 积分`, templateValidityText(entry.template.validity)]}
            muted={!entry.canClaim}
            action={
              entry.canClaim ? (
                <ActionButton
                  id={`shop-exchange-${entry.template.id}`}
                  className='coupon-ticket__cta'
                  loading={busy === entry.template.id}
                  disabled={busy !== null || undefined}
                  onClick={() => void exchange(entry)}
                >
                  兑换
                </ActionButton>
              ) : (
                <Text id={`shop-exchange-${entry.template.id}`} className='coupon-ticket__blocked'>
                  {entry.blockedText ?? '暂不可兑换'}
                </Text>
              )
            }
            footer={errors[entry.template.id] ? <Text className='coupon-ticket__error'>{errors[entry.template.id]}</Text> : null}
          />
        ))
      )}
    </View>
  );
}
