import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import type { PurchaseRuleView } from '@member/shared';
import { listPurchaseRules } from '../../api';
import ActionButton from '../../components/ActionButton';
import StateView from '../../components/StateView';
import { useLoader } from '../../hooks/useLoader';
import { conditionText, rewardSummary, RULE_STATUS_NAMES } from '../../utils/purchase-rules';
import './index.scss';

/** Rules that reward a purchase (营销规则 / 支付有礼, admins), newest first; back from one, the list reloads. */
export default function RulesPage() {
  const { state, reload } = useLoader(listPurchaseRules, { blockedBy: ['FORBIDDEN'] });
  if (state.kind !== 'ready') {
    return (
      <View className='page rules-page'>
        {state.kind === 'loading' ? <StateView status='loading' idPrefix='rules-page' /> : null}
        {state.kind === 'error' ? (
          <StateView status='error' idPrefix='rules-page' message={state.message} onRetry={() => void reload(false)} />
        ) : null}
        {state.kind === 'blocked' ? (
          <StateView status='empty' idPrefix='rules-page' title='仅限管理员使用' message='营销规则需要管理员权限' />
        ) : null}
      </View>
    );
  }
  return (
    <View className='page rules-page'>
      <ActionButton id='rule-new' className='primary-button' onClick={() => void Taro.navigateTo({ url: '/staff/rule-edit/index' })}>
        新建规则
      </ActionButton>
      <Text className='rules-page__hint'>会员消费满足条件时自动发放奖励（满额赠券、首单礼、多倍积分），每笔消费每条规则只发一次</Text>
      {state.data.rules.length === 0 ? (
        <StateView status='empty' idPrefix='rules-page' title='还没有规则' message='设置条件和奖励，会员付款后自动发放' />
      ) : (
        state.data.rules.map((rule) => <RuleRow key={rule.id} rule={rule} />)
      )}
    </View>
  );
}

function RuleRow({ rule }: { rule: PurchaseRuleView }) {
  return (
    <View id={`rule-${rule.id}`} className='rule-row' onClick={() => void Taro.navigateTo({ url: `/staff/rule/index?id=${rule.id}` })}>
      <View className='rule-row__head'>
        <Text className='rule-row__name'>{rule.name}</Text>
        <Text id={`rule-status-${rule.id}`} className={`rule-status rule-status--${rule.status}`}>
          {RULE_STATUS_NAMES[rule.status]}
        </Text>
      </View>
      <Text className='rule-row__meta'>{conditionText(rule)}</Text>
      <Text className='rule-row__meta'>{rewardSummary(rule)}</Text>
      <Text className='rule-row__meta'>
        已发放 {rule.grantedCount} 次{rule.budget.maxGrants !== null ? ` / 上限 ${rule.budget.maxGrants}` : ''}
        {rule.exclusive ? ' · 独享' : ''} · 优先级 {rule.priority}
      </Text>
    </View>
  );
}
