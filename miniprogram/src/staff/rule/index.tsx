import { useCallback, useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { formatFen, type PurchaseRuleReport, type PurchaseRuleView } from '@member/shared';
import { getPurchaseRule, getPurchaseRuleReport, messageOf, setPurchaseRuleStatus } from '../../api';
import ActionButton from '../../components/ActionButton';
import StateView from '../../components/StateView';
import { useLoader } from '../../hooks/useLoader';
import { conditionText, rewardSummary, RULE_STATUS_NAMES } from '../../utils/purchase-rules';
import '../rules/index.scss';
import './index.scss';

const ruleId = () => Number(Taro.getCurrentInstance().router?.params?.id ?? 0);
const money = (fen: number) => formatFen(fen, { keepCents: true });

/** One rule: what it says, its status changes (启用 / 暂停 / 结束; 编辑 while a draft), and its report. */
export default function RulePage() {
  const load = useCallback(async () => {
    const id = ruleId();
    const [rule, report] = await Promise.all([getPurchaseRule(id), getPurchaseRuleReport(id)]);
    return { rule, report };
  }, []);
  const { state, reload } = useLoader(load, { blockedBy: ['FORBIDDEN', 'PURCHASE_RULE_NOT_FOUND'] });
  const [busy, setBusy] = useState(false);

  if (state.kind !== 'ready') {
    return (
      <View className='page rule-page'>
        {state.kind === 'loading' ? <StateView status='loading' idPrefix='rule-page' /> : null}
        {state.kind === 'error' ? (
          <StateView status='error' idPrefix='rule-page' message={state.message} onRetry={() => void reload(false)} />
        ) : null}
        {state.kind === 'blocked' ? (
          <StateView status='empty' idPrefix='rule-page' title='无法查看' message='规则不存在或需要管理员权限' />
        ) : null}
      </View>
    );
  }
  const { rule, report } = state.data;

  const change = async (status: 'active' | 'paused' | 'ended') => {
    if (status === 'ended') {
      const answer = await Taro.showModal({ title: '结束规则', content: '结束后不能再启用，已发放的奖励不受影响。确定结束？' });
      if (!answer.confirm) return;
    }
    setBusy(true);
    try {
      await setPurchaseRuleStatus(rule.id, status);
      void Taro.showToast({ title: status === 'active' ? '已启用' : status === 'paused' ? '已暂停' : '已结束', icon: 'success' });
      await reload(true);
    } catch (failure) {
      void Taro.showToast({ title: messageOf(failure), icon: 'none' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className='page rule-page'>
      <View className='rule-row'>
        <View className='rule-row__head'>
          <Text id='rule-name' className='rule-row__name'>
            {rule.name}
          </Text>
          <Text id='rule-status' className={`rule-status rule-status--${rule.status}`}>
            {RULE_STATUS_NAMES[rule.status]}
          </Text>
        </View>
        <Text className='rule-row__meta'>条件：{conditionText(rule)}</Text>
        <Text className='rule-row__meta'>奖励：{rewardSummary(rule)}</Text>
        <Text className='rule-row__meta'>
          预算：{budgetText(rule)} · 优先级 {rule.priority}
          {rule.exclusive ? ' · 独享' : ''} · {rule.takeBackOnRefund ? '全额退款时收回' : '退款不收回'}
        </Text>
      </View>
      <View className='rule-page__actions'>
        {rule.status === 'draft' ? (
          <ActionButton
            id='rule-edit'
            className='ghost-button'
            disabled={busy}
            onClick={() => void Taro.navigateTo({ url: `/staff/rule-edit/index?id=${rule.id}` })}
          >
            编辑
          </ActionButton>
        ) : null}
        {rule.status === 'draft' || rule.status === 'paused' ? (
          <ActionButton id='rule-activate' className='primary-button' disabled={busy} onClick={() => void change('active')}>
            启用
          </ActionButton>
        ) : null}
        {rule.status === 'active' ? (
          <ActionButton id='rule-pause' className='ghost-button' disabled={busy} onClick={() => void change('paused')}>
            暂停
          </ActionButton>
        ) : null}
        {rule.status !== 'ended' ? (
          <ActionButton id='rule-end' className='ghost-button' disabled={busy} onClick={() => void change('ended')}>
            结束
          </ActionButton>
        ) : null}
      </View>
      <ReportCard report={report} />
    </View>
  );
}

function budgetText(rule: PurchaseRuleView): string {
  const b = rule.budget;
  const parts = [
    ...(b.maxGrants !== null ? [`${b.maxGrants} 次`] : []),
    ...(b.maxPoints !== null ? [`${b.maxPoints} 积分`] : []),
    ...(b.maxCoupons !== null ? [`${b.maxCoupons} 张券`] : []),
  ];
  return parts.length ? parts.join('、') : '不限';
}

function ReportCard({ report }: { report: PurchaseRuleReport }) {
  const cells: Array<[string, string, string]> = [
    ['report-grants', '发放次数', `${report.grants}`],
    ['report-members', '获奖会员', `${report.rewardedMembers}`],
    ['report-points', '发放积分', `${report.pointsGranted}`],
    ['report-coupons', '发券 / 已用', `${report.couponsGranted} / ${report.couponsUsed}`],
    ['report-cost', '成本', money(report.costFen)],
    ['report-trigger-sales', '触发消费', money(report.triggeringPaidFen)],
    ['report-later-sales', '后续消费', `${money(report.laterPaidFen)}（${report.laterPurchases} 笔）`],
    ['report-taken-back', '退款收回', `${report.takenBack} 次`],
  ];
  return (
    <View id='rule-report' className='rule-report'>
      <Text className='rule-report__title'>规则报表</Text>
      <View className='rule-report__grid'>
        {cells.map(([id, label, value]) => (
          <View key={id} className='rule-report__cell'>
            <Text id={id} className='rule-report__value'>
              {value}
            </Text>
            <Text className='rule-report__label'>{label}</Text>
          </View>
        ))}
      </View>
      <Text className='rule-report__note'>
        成本 = 未收回积分 {money(report.pointsCostFen)}（每积分 ¥0.01）+ 已用券优惠 {money(report.couponDiscountFen)} + 退款损失{' '}
        {money(report.lossFen)}
      </Text>
    </View>
  );
}
