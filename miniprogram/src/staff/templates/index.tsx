import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import ActionButton from '../../components/ActionButton';
import type { CouponTemplateView } from '@member/shared';
import { deleteCouponTemplate, listCouponTemplates, messageOf, setCouponTemplateStatus } from '../../api';
import CouponTicket from '../../components/CouponTicket';
import StateView from '../../components/StateView';
import { useLoader } from '../../hooks/useLoader';
import { TIER_NAMES, templateValidityText } from '../../utils/coupons';
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

/** The chip: where the template stands for members now (not started, claimable, paused, ended). */
function stateChip(template: CouponTemplateView, now: number): { key: string; text: string } {
  if (template.status === 'paused') return { key: 'paused', text: '已暂停' };
  if (now < Date.parse(template.claimStartsAt)) return { key: 'upcoming', text: '未开始' };
  if (now > Date.parse(template.claimEndsAt)) return { key: 'ended', text: '已结束' };
  return { key: 'active', text: '领取中' };
}

const LIVE_REASONS: Record<NonNullable<CouponTemplateView['liveBecause']>, string> = {
  coupons_given: '已有会员领到，条款不可再改',
  claimable: '已开始领取，条款不可再改',
  campaign: '已被发布的活动使用，条款不可再改',
  birthday_perk: '是生日礼券，条款不可再改',
};

const openForm = (query: string) => void Taro.navigateTo({ url: `/staff/template-edit/index${query}` });

export default function TemplatesPage() {
  const { state, reload, update } = useLoader(listCouponTemplates, { blockedBy: ['FORBIDDEN'] });
  const [toggling, setToggling] = useState<number | null>(null);

  const remove = async (template: CouponTemplateView) => {
    const answer = await Taro.showModal({
      title: '删除这张券？',
      content: `「${template.name}」删除后不可恢复。`,
      confirmText: '删除',
      confirmColor: '#d93026',
      cancelText: '取消',
    });
    if (!answer.confirm) return;
    setToggling(template.id);
    try {
      await deleteCouponTemplate(template.id);
      update((templates) => templates.filter((t) => t.id !== template.id));
      void Taro.showToast({ title: '已删除', icon: 'none' });
    } catch (error) {
      void Taro.showToast({ title: messageOf(error), icon: 'none' });
      void reload(true);
    } finally {
      setToggling(null);
    }
  };

  const toggle = async (template: CouponTemplateView) => {
    setToggling(template.id);
    try {
      const updated = await setCouponTemplateStatus(template.id, template.status === 'active' ? 'paused' : 'active');
      update((templates) => templates.map((t) => (t.id === updated.id ? updated : t)));
      const title = updated.status === 'active' ? '已恢复领取' : updated.liveBecause ? '已暂停领取' : '已暂停领取，现在可以修改';
      void Taro.showToast({ title, icon: 'none' });
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
      <ActionButton id='template-new' className='primary-button' onClick={() => openForm('')}>
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
                <View className='templates-page__line'>
                  <Text id={`template-counts-${template.id}`} className='templates-page__counts'>
                    已领 {template.claimedCount}/{template.totalStock} · 已核销 {template.redeemedCount}
                    {template.heldCount > 0 ? ` · 待支付锁定 ${template.heldCount}` : ''}
                  </Text>
                  <Text
                    id={`template-state-${template.id}`}
                    className={`templates-page__status templates-page__status--${stateChip(template, now).key}`}
                  >
                    {stateChip(template, now).text}
                  </Text>
                </View>
                {template.liveBecause ? (
                  <Text id={`template-live-${template.id}`} className='templates-page__live'>
                    {LIVE_REASONS[template.liveBecause]}
                  </Text>
                ) : (
                  <Text id={`template-draft-${template.id}`} className='templates-page__live'>
                    未生效，可修改或删除
                  </Text>
                )}
                <View className='templates-page__actions'>
                  {template.liveBecause ? null : (
                    <>
                      <ActionButton
                        id={`template-delete-${template.id}`}
                        className='templates-page__action templates-page__action--danger'
                        disabled={toggling !== null || undefined}
                        onClick={() => void remove(template)}
                      >
                        删除
                      </ActionButton>
                      <ActionButton
                        id={`template-edit-${template.id}`}
                        className='templates-page__action'
                        disabled={toggling !== null || undefined}
                        onClick={() => openForm(`?id=${template.id}`)}
                      >
                        编辑
                      </ActionButton>
                    </>
                  )}
                  <ActionButton
                    id={`template-copy-${template.id}`}
                    className='templates-page__action'
                    disabled={toggling !== null || undefined}
                    onClick={() => openForm(`?copyOf=${template.id}`)}
                  >
                    复制
                  </ActionButton>
                  <ActionButton
                    id={`template-toggle-${template.id}`}
                    className='templates-page__action'
                    loading={toggling === template.id}
                    disabled={toggling !== null || undefined}
                    onClick={() => void toggle(template)}
                  >
                    {template.status === 'active' ? '暂停' : '恢复'}
                  </ActionButton>
                </View>
              </View>
            }
          />
        ))
      )}
    </View>
  );
}
