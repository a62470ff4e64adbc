import { useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import { NumberKeyboard } from '@nutui/nutui-react-taro';
import '@nutui/nutui-react-taro/dist/es/packages/numberkeyboard/style/css';
import type { IdentifiedMemberView } from '@member/shared';
import ActionButton from '../../../components/ActionButton';
import { isApiError, messageOf, verifyMemberCode } from '../../../api';
import platform from '../../../platform';
import { codeDigits, groupDigits, pressDigit } from '../../../utils/till';
import './index.scss';

export interface MemberIdentifyProps {
  onIdentified: (member: IdentifiedMemberView) => void;
  /** A member is already shown above: this card then reads "识别其他会员" and sits lower. */
  hasMember: boolean;
}

/**
 * How the clerk identifies the customer: 扫码 (weapp), or the digits under the member's barcode on the number pad
 * (or typed, or sent by a barcode gun, into the field). Verifying hands back the member and a till ticket.
 */
export default function MemberIdentify({ onIdentified, hasMember }: MemberIdentifyProps) {
  const [code, setCode] = useState('');
  const [padOpen, setPadOpen] = useState(false);
  const [verifying, setVerifying] = useState(false);
  const [error, setError] = useState('');

  const verify = async (raw: string) => {
    const digits = codeDigits(raw);
    setError('');
    if (!digits) {
      setError('请输入会员码');
      return;
    }
    setVerifying(true);
    setPadOpen(false);
    try {
      onIdentified(await verifyMemberCode({ code: digits }));
      setCode('');
    } catch (failure) {
      setError(isApiError(failure) && failure.code === 'FORBIDDEN' ? '仅限门店员工使用' : messageOf(failure));
    } finally {
      setVerifying(false);
    }
  };

  const scan = async () => {
    setError('');
    try {
      const scanned = await platform.scanCode();
      if (scanned) await verify(scanned);
    } catch (failure) {
      setError(messageOf(failure, '扫码失败，请输入会员码'));
    }
  };

  return (
    <View id='staff-identify' className={`till-identify${hasMember ? ' till-identify--secondary' : ''}`}>
      <View className='till-identify__head'>
        <Text className='till-identify__title'>{hasMember ? '识别其他会员' : '识别会员'}</Text>
        <Text className='till-identify__hint'>{platform.canScan ? '扫顾客的会员码，或输入码下数字' : '输入顾客会员码下方的数字'}</Text>
      </View>
      {platform.canScan ? (
        <ActionButton id='staff-scan' className='till-identify__scan' disabled={verifying || undefined} onClick={() => void scan()}>
          扫码识别
        </ActionButton>
      ) : null}
      <View className='till-identify__row'>
        <Input
          id='staff-code-input'
          className='till-identify__input'
          type='text'
          placeholder='会员码数字'
          maxlength={48}
          value={code}
          disabled={verifying}
          onInput={(event) => setCode(event.detail.value)}
          onConfirm={() => void verify(code)}
        />
        <View id='staff-keypad-open' className='till-identify__pad-toggle' onClick={() => setPadOpen(true)}>
          {/* A 3×3 dot keypad, drawn: no icon font in the subpackage. */}
          <View className='till-identify__pad-icon'>
            {Array.from({ length: 9 }, (_, i) => (
              <View key={i} className='till-identify__pad-dot' />
            ))}
          </View>
        </View>
        <ActionButton
          id='staff-verify'
          className='till-identify__verify'
          loading={verifying}
          disabled={verifying || undefined}
          onClick={() => void verify(code)}
        >
          查询
        </ActionButton>
      </View>
      {error ? (
        <Text id='staff-error' className='form-error'>
          {error}
        </Text>
      ) : null}
      <NumberKeyboard
        className='till-keypad'
        visible={padOpen}
        type='rightColumn'
        confirmText='查询'
        title={code ? groupDigits(codeDigits(code)) : '输入会员码'}
        onChange={(key) => setCode((current) => pressDigit(codeDigits(current), key))}
        onDelete={() => setCode((current) => codeDigits(current).slice(0, -1))}
        onConfirm={() => void verify(code)}
        onClose={() => setPadOpen(false)}
      />
    </View>
  );
}
