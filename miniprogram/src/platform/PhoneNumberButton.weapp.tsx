import ActionButton from '../components/ActionButton';
import type { PhoneNumberButtonProps } from './types';
import './PhoneNumberButton.scss';

/**
 * WeChat's phone sheet. The compound open-type also records the WeChat privacy agreement (wechat-protocols
 * §8), so one tap covers both; the code in e.detail.code is exchanged by the server (§3).
 */
export default function PhoneNumberButton({
  id,
  label = '微信手机号快捷验证',
  disabled = false,
  loading = false,
  onCode,
  onFail,
}: PhoneNumberButtonProps) {
  return (
    <ActionButton
      id={id}
      className='phone-number-button'
      openType='getPhoneNumber|agreePrivacyAuthorization'
      disabled={disabled || loading || undefined}
      loading={loading}
      onGetPhoneNumber={(event) => {
        const detail = (event.detail ?? {}) as { code?: string; errMsg?: string; errno?: number };
        if (detail.code) {
          onCode(detail.code);
          return;
        }
        const errMsg = detail.errMsg ?? '';
        // "getPhoneNumber:fail user deny" or "getPhoneNumber:fail:user deny" depending on the client (§3).
        if (/deny|cancel/i.test(errMsg)) onFail?.('您取消了手机号授权，开通会员需要验证手机号');
        else if (detail.errno === 1400001) onFail?.('手机号验证服务繁忙，请稍后再试');
        else if (detail.errno === 104) onFail?.('请先同意隐私保护指引后再验证手机号');
        else onFail?.('获取手机号失败，请稍后重试');
      }}
    >
      {label}
    </ActionButton>
  );
}
