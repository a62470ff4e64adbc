import { Input, Switch, Text, View } from '@tarojs/components';
import { FEN_PER_POINT, type CheckoutOptions } from '@member/shared';
import { money } from '../../../utils/pay';
import type { PayQuote } from '../usePayQuote';

/** What the points section says the member may use: the most for this order, or why none. */
function pointsAllowance(options: CheckoutOptions, maxPoints: number): string {
  if (maxPoints > 0) return `可用 ${options.pointsBalance} 积分，本单最多用 ${maxPoints} 积分`;
  if (options.pointsBalance < options.burnRule.minPoints)
    return `满 ${options.burnRule.minPoints} 积分可用，当前 ${options.pointsBalance} 积分`;
  return '本单暂不可用积分抵扣';
}

/** Points off the order: a switch, the number (no more than the order allows), and what it takes off. */
export default function PointsSection({ pay, options, locked }: { pay: PayQuote; options: CheckoutOptions; locked: boolean }) {
  const { usePoints, maxPoints } = pay;
  return (
    <View id='pay-points-section' className='section'>
      <View className='pay-points'>
        <View className='pay-points__text'>
          <Text className='pay-points__title'>积分抵扣</Text>
          <Text id='pay-points-max' className='pay-points__sub'>
            {pointsAllowance(options, maxPoints)}
          </Text>
        </View>
        <Switch
          id='pay-points-toggle'
          checked={usePoints}
          disabled={locked || maxPoints === 0}
          color='#e8453c'
          onChange={(event) => pay.togglePoints(Boolean(event.detail.value))}
        />
      </View>
      {usePoints ? (
        <>
          <View className='pay-points__edit'>
            <Text className='pay-points__key'>使用</Text>
            <Input
              id='pay-points'
              className='pay-points__input'
              type='number'
              maxlength={9}
              value={pay.pointsText}
              disabled={locked}
              onInput={(event) => pay.onPointsInput(event.detail.value)}
            />
            <Text className='pay-points__key'>积分</Text>
            <Text className='pay-points__value'>抵 {money(pay.pointsToBurn * FEN_PER_POINT)}</Text>
          </View>
          <Text className='pay-points__note'>
            {pay.pointsIssue ?? (pay.pointsNote || `100 积分 = ¥1，单笔至少 ${options.burnRule.minPoints} 积分`)}
          </Text>
        </>
      ) : null}
    </View>
  );
}
