import { Text, View } from '@tarojs/components';
import { formatFen, type Fen } from '@member/shared';
import './index.scss';

export interface TierProgressProps {
  /** Name of the tier above, or null at the top tier. */
  nextTierName: string | null;
  remainingFen: Fen;
  /** 0–100. */
  percent: number;
  id?: string;
  /** `light` sits on a coloured card, `dark` on a white page. */
  tone?: 'light' | 'dark';
  /** The bar's colour on tier card art (its accent). */
  barColor?: string;
}

/** "再消费 ¥x 升级为 金卡" with a bar; "已是最高等级" at the top. */
export default function TierProgress({
  nextTierName,
  remainingFen,
  percent,
  id = 'card-progress',
  tone = 'light',
  barColor,
}: TierProgressProps) {
  const atTop = nextTierName === null;
  const width = atTop ? 100 : Math.max(0, Math.min(100, Math.round(percent)));
  return (
    <View id={id} className={`tier-progress tier-progress--${tone}`}>
      <View className='tier-progress__track'>
        <View className='tier-progress__bar' style={{ width: `${width}%`, ...(barColor ? { background: barColor } : {}) }} />
      </View>
      <Text className='tier-progress__label'>{atTop ? '已是最高等级' : `再消费 ${formatFen(remainingFen)} 升级为 ${nextTierName}`}</Text>
    </View>
  );
}
