import ActionButton from '../components/ActionButton';
import type { ContactButtonProps } from './types';
import './ContactButton.scss';

/** WeChat's own customer-service chat (open-type="contact"): messages reach the MP console's 客服 staff. */
export default function ContactButton({ id }: ContactButtonProps) {
  return (
    <ActionButton id={id} className='contact-button' openType='contact'>
      在线客服
    </ActionButton>
  );
}
