import { Text, View } from '@tarojs/components';
import { rewardText, type PurchaseReward } from '@member/shared';
import './index.scss';

/**
 * 本单获得: what the rules (营销规则 / 支付有礼) gave this purchase, one line per rule; nothing when none fired.
 * On the member's pay result and the clerk's purchase result alike.
 */
export default function PurchaseRewards({ rewards, id = 'purchase-rewards' }: { rewards: PurchaseReward[] | undefined; id?: string }) {
  if (!rewards || rewards.length === 0) return null;
  return (
    <View id={id} className='purchase-rewards'>
      <Text className='purchase-rewards__title'>本单获得</Text>
      {rewards.map((reward) => (
        <Text key={reward.ruleId} className={'purchase-rewards__line' + (reward.takenBack ? ' purchase-rewards__line--back' : '')}>
          {rewardText(reward)}
        </Text>
      ))}
    </View>
  );
}
