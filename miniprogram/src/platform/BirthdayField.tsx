import { Picker, Text, View } from '@tarojs/components';
import type { BirthdayFieldProps } from './types';
import './BirthdayField.scss';

/** Mini-program targets: the native date picker. */
export default function BirthdayField({ value, disabled = false, end, onChange }: BirthdayFieldProps) {
  return (
    <Picker
      mode='date'
      value={value || '1995-01-01'}
      start='1900-01-01'
      end={end}
      disabled={disabled}
      onChange={(event) => onChange(String(event.detail.value))}
    >
      <View id='birthday-picker' className={`birthday-field${disabled ? ' birthday-field--disabled' : ''}`}>
        <Text className={value ? 'birthday-field__value' : 'birthday-field__placeholder'}>{value || '请选择生日'}</Text>
        <Text className='birthday-field__arrow'>›</Text>
      </View>
    </Picker>
  );
}
