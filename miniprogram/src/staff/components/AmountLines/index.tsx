import { Text, View } from '@tarojs/components';
import './index.scss';

export interface AmountLine {
  label: string;
  value: string;
  id?: string;
  /** The line the customer cares about (应付, 实付): larger, bold. */
  strong?: boolean;
  /** A deduction, shown in the brand colour. */
  minus?: boolean;
}

/** A receipt's lines: label left, amount right; the total in bold. */
export default function AmountLines({ lines }: { lines: AmountLine[] }) {
  return (
    <View className='amount-lines'>
      {lines.map((line) => (
        <View key={line.label} className={`amount-lines__line${line.strong ? ' amount-lines__line--strong' : ''}`}>
          <Text className='amount-lines__key'>{line.label}</Text>
          <Text id={line.id} className={`amount-lines__value${line.minus ? ' amount-lines__value--minus' : ''}`}>
            {line.value}
          </Text>
        </View>
      ))}
    </View>
  );
}
