import { Text, View } from '@tarojs/components';
import './index.scss';

export interface ChoiceOption<T extends string> {
  value: T;
  label: string;
}

export interface ChoiceChipsProps<T extends string> {
  options: readonly ChoiceOption<T>[];
  /** The chosen value, or the chosen values when several may be picked. */
  selected: T | readonly T[];
  onSelect: (value: T) => void;
  /** Each chip's id is `${idPrefix}-${value}` (e.g. `tpl-kind-cash_off`), for browser tests. */
  idPrefix: string;
  disabled?: boolean;
}

/**
 * A row of tappable chips: one choice (coupon kind, validity type) or several (tiers). Drawn by hand rather than
 * with <Radio>/<Checkbox> so it looks and behaves the same in WeChat and in the browser.
 */
export default function ChoiceChips<T extends string>({ options, selected, onSelect, idPrefix, disabled = false }: ChoiceChipsProps<T>) {
  const isSelected = (value: T) => (typeof selected === 'string' ? selected === value : selected.includes(value));
  return (
    <View className={`choice-chips${disabled ? ' choice-chips--disabled' : ''}`}>
      {options.map((option) => (
        <View
          key={option.value}
          id={`${idPrefix}-${option.value}`}
          className={`choice-chips__chip${isSelected(option.value) ? ' choice-chips__chip--on' : ''}`}
          ariaRole={typeof selected === 'string' ? 'radio' : 'checkbox'}
          ariaLabel={`${option.label}${isSelected(option.value) ? '（已选）' : ''}`}
          onClick={() => {
            if (!disabled) onSelect(option.value);
          }}
        >
          <Text>{option.label}</Text>
        </View>
      ))}
    </View>
  );
}
