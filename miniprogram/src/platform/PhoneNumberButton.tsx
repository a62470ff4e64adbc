import ActionButton from '../components/ActionButton';
import type { PhoneNumberButtonProps } from './types';
import './PhoneNumberButton.scss';

/** Targets without a phone-number capability (weapp and h5 have their own files). */
export default function PhoneNumberButton({ id, onFail }: PhoneNumberButtonProps) {
  return (
    <ActionButton id={id} className='phone-number-button' onClick={() => onFail?.('当前环境不支持手机号验证')}>
      手机号验证
    </ActionButton>
  );
}
