import { useState } from 'react';
import { Text, View } from '@tarojs/components';
import { DatePicker } from '@nutui/nutui-react-taro';
import '@nutui/nutui-react-taro/dist/es/packages/datepicker/style/css';
import { parseCalendarDate } from '@member/shared';
import { formatChineseDate } from '../utils/dates';
import type { BirthdayFieldProps } from './types';
import './BirthdayField.scss';

/** Where the wheels start when no birthday is set yet: a typical member's age, not today or 1900. */
const FIRST_SHOWN = '1995-01-01';

const pad = (n: number) => String(n).padStart(2, '0');

/** A calendar date as a local Date for the wheels (noon, so no time zone moves it to another day). */
function wheelDate(date: string): Date {
  const parsed = parseCalendarDate(date)!;
  return new Date(parsed.year, parsed.month - 1, parsed.day, 12);
}

/**
 * The birthday as a row that opens NutUI's date wheels in a bottom sheet (its own Popup), the same on weapp and
 * H5. The value is a calendar date "YYYY-MM-DD"; nothing is picked until 确定.
 */
export default function BirthdayPicker({ value, disabled = false, end, onChange }: BirthdayFieldProps) {
  const [open, setOpen] = useState(false);
  const shown = parseCalendarDate(value) ? value : FIRST_SHOWN;
  return (
    <>
      <View
        id='birthday-picker'
        className={`birthday-field${disabled ? ' birthday-field--disabled' : ''}`}
        onClick={() => {
          if (!disabled) setOpen(true);
        }}
      >
        <Text className={value ? 'birthday-field__value' : 'birthday-field__placeholder'}>
          {parseCalendarDate(value) ? formatChineseDate(value) : '请选择生日'}
        </Text>
        <Text className='birthday-field__arrow'>›</Text>
      </View>
      <DatePicker
        key={shown}
        className='birthday-picker'
        title='选择生日'
        type='date'
        visible={open}
        showChinese
        defaultValue={wheelDate(shown)}
        startDate={wheelDate('1900-01-01')}
        endDate={wheelDate(end)}
        onClose={() => setOpen(false)}
        onConfirm={(_options, values) => {
          const [year, month, day] = values.map(Number);
          onChange(`${year}-${pad(month)}-${pad(day)}`);
        }}
      />
    </>
  );
}
