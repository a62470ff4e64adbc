import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import ActionButton from '../../components/ActionButton';
import type { CouponTemplateView } from '@member/shared';
import { listCouponTemplates, messageOf, setCouponTemplateStatus } from '../../api';
import CouponTicket from '../../components/CouponTicket';
import StateView from '../../components/StateView';
import { useLoader } from '../../hooks/useLoader';
import { TEMPLATE_STATUS_NAMES, TIER_NAMES, templateValidityText } from '../../utils/coupons';
import { businessDate } from '../../utils/dates';
import './index.scss';

function audienceText(template: CouponTemplateView): string {
  if (template.audience === 'new_members') return '仅新会员';
  if (template.audience === 'tiers') return (template.audienceTiers ?? []).map((tier) => TIER_NAMES[tier]).join('、');
  return '全部会员';
}

/** Whether members can claim it right now, as the marketing team reads it. */
function claimWindowText(template: CouponTemplateView, now: number): string {
  const starts = Date.parse(template.claimStartsAt);
  const ends = Date.parse(template.claimEndsAt);
  if (now < starts) return `${businessDate(template.claimStartsAt)} 开始领取`;
  if (now > ends) return '领取已结束';
  return `领取至 ${businessDate(template.claimEndsAt)}`;
}

export default function TemplatesPage() {
  const { state, reload, update } = useLoader(listCouponTemplates, { blockedBy: ['FORBIDDEN'] });
  const [toggling, setToggling] = useState<number | null>(null);

  const toggle = async (template: CouponTemplateView) => {
    setToggling(template.id);
    try {
      const updated = await setCouponTemplateStatus(template.id, template.status === 'active' ? 'paused' : 'active');
      update((templates) => templates.map((t) => (t.id === updated.id ? updated : t)));
      void Taro.showToast({ title: updated.status === 'active' ? '已恢复领取' : '已暂停领取', icon: 'none' });
    } catch (error) {
      void Taro.showToast({ title: messageOf(error), icon: 'none' });
    } finally {
      setToggling(null);
    }
  };

  if (state.kind === 'loading') {
    return (
      <View className='page templates-page'>
        <StateView status='loading' idPrefix='templates-page' />
      </View>
    );
  }
  if (state.kind === 'error') {
    return (
      <View className='page templates-page'>
        <StateView status='error' idPrefix='templates-page' message={state.message} onRetry={() => void reload(false)} />
      </View>
    );
  }
  if (state.kind === 'blocked') {
    return (
      <View className='page templates-page'>
        <StateView status='empty' idPrefix='templates-page' title='仅限管理员使用' message='优惠券的创建和暂停需要管理员权限' />
      </View>
    );
  }

  const now = Date.now();
  return (
    <View className='page templates-page'>
      <ActionButton
        id='template-new'
        className='primary-button'
        onClick={() => void Taro.navigateTo({ url: '/staff/template-edit/index' })}
      >
        新建优惠券
      </ActionButton>
      {state.data.length === 0 ? (
        <StateView status='empty' idPrefix='templates-page' title='还没有优惠券' message='点击上方按钮创建第一张券' />
      ) : (
        state.data.map((template) => (
          <CouponTicket
            key={template.id}
            id={`template-${template.id}`}
            terms={template.terms}
            name={template.name}
            muted={template.status === 'paused'}
            meta={[
              templateValidityText(template.validity),
              `${audienceText(template)} · 每人限领 ${template.perMemberLimit} 张`,
              claimWindowText(template, now),
              ...(template.pointsPrice !== null ? [`积分商城 · ${template.pointsPrice} 积分兑换`] : []),
            ]}
            footer={
              <View className='templates-page__foot'>
                <Text id={`template-counts-${template.id}`} className='templates-page__counts'>
                  已领 {template.claimedCount}/{template.totalStock} · 已核销 {template.redeemedCount}
                  {template.heldCount > 0 ? ` · 待支付锁定 ${template.heldCount}` : ''}
                </Text>
                <Text className={`templates-page__status templates-page__status--${template.status}`}>
                  {TEMPLATE_STATUS_NAMES[template.status]}
                </Text>
                <ActionButton
                  id={`template-toggle-${template.id}`}
                  className='templates-page__toggle'
                  loading={toggling === template.id}
                  disabled={toggling !== null || undefined}
                  onClick={() => void toggle(template)}
                >
                  {template.status === 'active' ? '暂停' : '恢复'}
                </ActionButton>
              </View>
            }
          />
        ))
      )}
    </View>
  );
}
