import type { ReactNode } from 'react';
import { Text, View } from '@tarojs/components';
import './index.scss';

export interface ConsentCheckProps {
  checked: boolean;
  onChange: (checked: boolean) => void;
  id?: string;
  disabled?: boolean;
  children?: ReactNode;
}

/**
 * A tappable consent line with a round check mark. Drawn by hand rather than with <Checkbox> so it looks and
 * behaves the same in WeChat and in the browser (and a test can click it by id).
 */
export default function ConsentCheck({ checked, onChange, id, disabled = false, children }: ConsentCheckProps) {
  return (
    <View
      id={id}
      className={`consent-check${checked ? ' consent-check--checked' : ''}${disabled ? ' consent-check--disabled' : ''}`}
      ariaRole='checkbox'
      ariaLabel={checked ? '已同意' : '未同意'}
      onClick={() => {
        if (!disabled) onChange(!checked);
      }}
    >
      <View className='consent-check__box'>{checked ? <Text className='consent-check__mark'>✓</Text> : null}</View>
      <View className='consent-check__label'>{children}</View>
    </View>
  );
}
