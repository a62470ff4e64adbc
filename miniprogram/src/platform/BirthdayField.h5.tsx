import { Input, View } from '@tarojs/components';
import type { BirthdayFieldProps } from './types';
import './BirthdayField.scss';

/** The browser build: a plain field that takes YYYY-MM-DD (easy to type and to drive from tests). */
export default function BirthdayField({ value, disabled = false, onChange }: BirthdayFieldProps) {
  return (
    <View className={`birthday-field${disabled ? ' birthday-field--disabled' : ''}`}>
      <Input
        id='birthday-input'
        className='birthday-field__input'
        placeholder='YYYY-MM-DD，例如 1995-06-18'
        maxlength={10}
        value={value}
        disabled={disabled}
        onInput={(event) => onChange(event.detail.value.trim())}
      />
    </View>
  );
}
