import { useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import ActionButton from '../components/ActionButton';
import { loadPublicConfig } from '../api/session';
import { emulatorUser, mintPhoneCode } from './h5-emulator';
import type { PhoneNumberButtonProps } from './types';
import './PhoneNumberButton.scss';

const PHONE_RE = /^1[3-9]\d{9}$/;

/**
 * The browser stand-in for WeChat's phone sheet: the person types a mainland mobile number, the WeChat
 * emulator mints a one-time phone code for it, and the page sends that code to the server exactly as on weapp.
 */
export default function PhoneNumberButton({
  id,
  label = '验证手机号',
  disabled = false,
  loading = false,
  onCode,
  onFail,
}: PhoneNumberButtonProps) {
  const [open, setOpen] = useState(false);
  const [phone, setPhone] = useState('');
  const [error, setError] = useState('');
  const [minting, setMinting] = useState(false);

  const confirm = async () => {
    const digits = phone.replace(/\s+/g, '');
    if (!PHONE_RE.test(digits)) {
      setError('请输入 11 位手机号');
      return;
    }
    setError('');
    setMinting(true);
    try {
      const config = await loadPublicConfig();
      const code = await mintPhoneCode(config.emulatorBaseUrl, emulatorUser(), digits);
      setOpen(false);
      onCode(code);
    } catch (failure) {
      const message = failure instanceof Error && /[\u4e00-\u9fa5]/.test(failure.message) ? failure.message : '获取手机号失败，请稍后重试';
      setError(message);
    } finally {
      setMinting(false);
    }
  };

  const cancel = () => {
    setOpen(false);
    setError('');
    onFail?.('您取消了手机号授权，开通会员需要验证手机号');
  };

  return (
    <View className='phone-number-h5'>
      <ActionButton
        id={id}
        className='phone-number-button'
        disabled={disabled || loading || undefined}
        loading={loading}
        onClick={() => setOpen(true)}
      >
        {label}
      </ActionButton>
      {open ? (
        <View className='phone-sheet'>
          <View className='phone-sheet__mask' onClick={cancel} />
          <View id='phone-sheet' className='phone-sheet__panel'>
            <Text className='phone-sheet__title'>手机号授权</Text>
            <Text className='phone-sheet__note'>浏览器体验版：输入手机号，模拟微信授权</Text>
            <View className={`phone-sheet__field${error ? ' phone-sheet__field--error' : ''}`}>
              <Text className='phone-sheet__prefix'>+86</Text>
              <Input
                id='phone-input'
                className='phone-sheet__input'
                type='number'
                maxlength={11}
                placeholder='请输入 11 位手机号'
                value={phone}
                focus
                onInput={(event) => setPhone(event.detail.value)}
                onConfirm={() => void confirm()}
              />
            </View>
            {error ? (
              <Text id='phone-input-error' className='phone-sheet__error'>
                {error}
              </Text>
            ) : null}
            <ActionButton
              id='phone-confirm'
              className='phone-sheet__confirm'
              loading={minting}
              disabled={minting || undefined}
              onClick={() => void confirm()}
            >
              允许并继续
            </ActionButton>
            <ActionButton id='phone-cancel' className='phone-sheet__cancel' onClick={cancel}>
              取消
            </ActionButton>
          </View>
        </View>
      ) : null}
    </View>
  );
}
