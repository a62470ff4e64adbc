import { useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import BirthdayPicker from './BirthdayPicker';
import type { BirthdayFieldProps } from './types';
import './BirthdayField.scss';

/**
 * The browser build: the same date wheels as in WeChat, and for a keyboard (a desktop browser, and the browser
 * tests) the date can be typed instead, YYYY-MM-DD.
 */
export default function BirthdayField(props: BirthdayFieldProps) {
  const [typing, setTyping] = useState(false);
  const { value, disabled = false, onChange } = props;
  return (
    <View>
      {typing ? (
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
      ) : (
        <BirthdayPicker {...props} />
      )}
      {disabled ? null : (
        <Text id='birthday-typing' className='birthday-field__switch' onClick={() => setTyping(!typing)}>
          {typing ? '用日期选择器' : '直接输入日期'}
        </Text>
      )}
    </View>
  );
}
