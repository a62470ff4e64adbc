import Taro from '@tarojs/taro';
import ActionButton from '../components/ActionButton';
import { dialable } from '../utils/brand';
import type { ContactButtonProps } from './types';
import './ContactButton.scss';

/** In a browser there is no WeChat customer-service chat: the button dials the service number (tel: link). */
export default function ContactButton({ id, phone }: ContactButtonProps) {
  return (
    <ActionButton id={id} className='contact-button' onClick={() => void Taro.makePhoneCall({ phoneNumber: dialable(phone) })}>
      拨打客服电话
    </ActionButton>
  );
}
