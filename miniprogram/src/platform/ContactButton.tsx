import Taro from '@tarojs/taro';
import ActionButton from '../components/ActionButton';
import { dialable } from '../utils/brand';
import type { ContactButtonProps } from './types';
import './ContactButton.scss';

/** Targets without WeChat's customer-service chat: call the service number (h5 has the same, weapp the chat). */
export default function ContactButton({ id, phone }: ContactButtonProps) {
  return (
    <ActionButton id={id} className='contact-button' onClick={() => void Taro.makePhoneCall({ phoneNumber: dialable(phone) })}>
      拨打客服电话
    </ActionButton>
  );
}
