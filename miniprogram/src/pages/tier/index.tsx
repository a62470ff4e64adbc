import { Text, View } from '@tarojs/components';
import { formatFen, type MemberCard } from '@member/shared';
import { ensureSession, getMemberCard } from '../../api';
import StateView from '../../components/StateView';
import TierProgress from '../../components/TierProgress';
import { useBrand } from '../../hooks/useBrand';
import { useLoader } from '../../hooks/useLoader';
import { tierArtOf, tierCardStyle } from '../../utils/brand';
import './index.scss';

async function fetchCard(): Promise<MemberCard> {
  await ensureSession();
  return getMemberCard();
}

/** Every tier's benefits, the member's spend over the rolling window, and how much is left to the next tier. */
export default function TierPage() {
  const brand = useBrand();
  const { state, reload } = useLoader(fetchCard);

  if (state.kind === 'loading') {
    return (
      <View className='page tier-page'>
        <StateView status='loading' idPrefix='tier-page' />
      </View>
    );
  }
  if (state.kind !== 'ready') {
    return (
      <View className='page tier-page'>
        <StateView
          status='error'
          idPrefix='tier-page'
          message={state.kind === 'error' ? state.message : undefined}
          onRetry={() => void reload(false)}
        />
      </View>
    );
  }

  const card = state.data;
  return (
    <View className='page tier-page'>
      <View className={`tier-hero tier-hero--${card.tier.code}`} style={tierCardStyle(tierArtOf(brand, card.tier.code))}>
        <Text id='tier-current' className='tier-hero__name'>
          {card.tier.name}
        </Text>
        <Text id='tier-spend' className='tier-hero__spend'>
          近 {card.tierWindowMonths} 个月消费 {formatFen(card.spendFen)}
        </Text>
        <View className='tier-hero__progress'>
          <TierProgress
            id='tier-progress'
            barColor={tierArtOf(brand, card.tier.code)?.accent}
            nextTierName={card.nextTier?.name ?? null}
            remainingFen={card.remainingToNextTierFen}
            percent={card.progressPercent}
          />
        </View>
      </View>

      {card.tiers.map((tier) => (
        <View
          key={tier.code}
          id={`tier-${tier.code}`}
          className={`section tier-row${tier.code === card.tier.code ? ' tier-row--current' : ''}`}
        >
          <View className='tier-row__head'>
            <View className={`tier-row__card tier-hero--${tier.code}`} style={tierCardStyle(tierArtOf(brand, tier.code))}>
              <Text className='tier-row__card-name'>{tier.name}</Text>
            </View>
            <Text className='tier-row__threshold'>
              {tier.minSpendFen === 0 ? '开通即享' : `近 ${card.tierWindowMonths} 个月消费满 ${formatFen(tier.minSpendFen)}`}
            </Text>
          </View>
          {tier.code === card.tier.code ? <Text className='tier-row__badge'>当前等级</Text> : null}
          {tier.benefits.map((benefit) => (
            <Text key={benefit} className='tier-row__benefit'>
              · {benefit}
            </Text>
          ))}
        </View>
      ))}
      <Text className='tier-page__note'>
        等级按近 {card.tierWindowMonths} 个月实付金额计算：达到即时升级；消费回落时定期复核，不会在消费过程中降级。
      </Text>
    </View>
  );
}
