import { Input, Text, View } from '@tarojs/components';
import type { PublicConfig } from '@member/shared';
import ActionButton from '../../../components/ActionButton';
import ChoiceChips from '../../../components/ChoiceChips';
import platform from '../../../platform';

/** Who is paid and how much: the store chips, the amount in yuan (typed, from the link or the till's code). */
export default function PayHero(props: {
  config: PublicConfig;
  storeCode: string;
  amountText: string;
  /** What is wrong with the amount typed (not a number, over the largest order), or null. */
  amountProblem: string | null;
  locked: boolean;
  onStore: (code: string) => void;
  onAmount: (text: string) => void;
  onScan: () => void;
}) {
  const { config, locked } = props;
  return (
    <View className='pay-hero'>
      <View className='pay-hero__head'>
        <Text className='pay-hero__label'>付款给</Text>
        {platform.canScan ? (
          <ActionButton id='pay-scan' className='pay-hero__scan' disabled={locked || undefined} onClick={props.onScan}>
            扫码付款
          </ActionButton>
        ) : null}
      </View>
      <ChoiceChips
        idPrefix='pay-store'
        options={config.stores.map((s) => ({ value: s.code, label: s.name }))}
        selected={props.storeCode}
        disabled={locked}
        onSelect={props.onStore}
      />
      <Text className='pay-hero__label pay-hero__label--amount'>付款金额（元）</Text>
      <View className='pay-amount'>
        <Text className='pay-amount__symbol'>¥</Text>
        <Input
          id='pay-amount'
          className='pay-amount__input'
          type='digit'
          placeholder='请输入金额'
          placeholderClass='pay-amount__placeholder'
          maxlength={12}
          value={props.amountText}
          disabled={locked}
          onInput={(event) => props.onAmount(event.detail.value)}
        />
      </View>
      {props.amountProblem ? (
        <Text id='pay-amount-error' className='pay-hero__hint pay-hero__hint--error'>
          {props.amountProblem}
        </Text>
      ) : (
        <Text className='pay-hero__hint'>向收银员确认金额后付款，可用优惠券和积分抵扣</Text>
      )}
    </View>
  );
}
