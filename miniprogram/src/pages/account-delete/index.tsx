import { useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Dialog } from '@nutui/nutui-react-taro';
import '@nutui/nutui-react-taro/dist/es/packages/dialog/style/css';
import { deleteAccount, isApiError, messageOf } from '../../api';
import ActionButton from '../../components/ActionButton';
import ConsentCheck from '../../components/ConsentCheck';
import { backToHome, openPage } from '../../utils/navigation';
import './index.scss';

/** What 注销 erases, and what the law and the books keep (without anything that says who you were). */
const ERASED = ['手机号', '昵称与头像', '生日', '微信账号与本会员的关联', '全部消息通知（不再向您发送）'];
const KEPT = ['消费与支付记录', '积分明细', '优惠券领取与使用记录'];
const LOST = ['当前积分、未使用的优惠券和会员等级将作废，无法恢复', '再次进入小程序将成为新用户，不会找回本账号'];

const RELAUNCH_AFTER_MS = 4000;

type Step = { kind: 'reading' } | { kind: 'confirming' } | { kind: 'deleting' } | { kind: 'done' };

export default function AccountDeletePage() {
  const [understood, setUnderstood] = useState(false);
  const [step, setStep] = useState<Step>({ kind: 'reading' });
  const [error, setError] = useState<{ message: string; openOrder: boolean } | null>(null);

  const confirmDeletion = async () => {
    setStep({ kind: 'deleting' });
    setError(null);
    try {
      await deleteAccount();
      setStep({ kind: 'done' });
    } catch (failure) {
      setError({ message: messageOf(failure), openOrder: isApiError(failure) && failure.code === 'ACCOUNT_HAS_OPEN_ORDER' });
      setStep({ kind: 'reading' });
    }
  };

  // The app starts over as a new visitor: by itself after a moment, or at once with the button.
  useEffect(() => {
    if (step.kind !== 'done') return undefined;
    const timer = setTimeout(() => backToHome(), RELAUNCH_AFTER_MS);
    return () => clearTimeout(timer);
  }, [step.kind]);

  if (step.kind === 'done') {
    return (
      <View className='page account-delete'>
        <View id='account-delete-done' className='section account-delete__done'>
          <Text className='account-delete__done-mark'>✓</Text>
          <Text className='account-delete__done-title'>账号已注销</Text>
          <Text className='account-delete__done-text'>您的个人信息已删除。感谢您一直以来的陪伴。</Text>
          <ActionButton id='account-delete-restart' className='primary-button account-delete__restart' onClick={() => backToHome()}>
            返回首页
          </ActionButton>
        </View>
      </View>
    );
  }

  const deleting = step.kind === 'deleting';
  return (
    <View className='page account-delete'>
      <View className='account-delete__warning'>
        <Text className='account-delete__warning-title'>注销后无法恢复</Text>
        <Text className='account-delete__warning-text'>请确认您已了解以下内容，再继续注销。</Text>
      </View>

      <View className='section'>
        <Text className='section-title'>将被删除</Text>
        {ERASED.map((line) => (
          <Text key={line} className='account-delete__line'>
            · {line}
          </Text>
        ))}
      </View>

      <View className='section'>
        <Text className='section-title'>将被保留</Text>
        <Text className='account-delete__note'>依照法律与财务要求，以下记录会保留，但不再与您的身份信息关联：</Text>
        {KEPT.map((line) => (
          <Text key={line} className='account-delete__line'>
            · {line}
          </Text>
        ))}
      </View>

      <View className='section'>
        <Text className='section-title'>注销后</Text>
        {LOST.map((line) => (
          <Text key={line} className='account-delete__line'>
            · {line}
          </Text>
        ))}
      </View>

      <ConsentCheck id='account-delete-understood' checked={understood} disabled={deleting} onChange={setUnderstood}>
        <Text>我已阅读并了解以上内容</Text>
      </ConsentCheck>

      {error ? (
        <View id='account-delete-error' className='form-error'>
          <Text>{error.message}</Text>
          {error.openOrder ? (
            <Text className='account-delete__error-link' onClick={() => openPage('/pages/orders/index')}>
              查看我的订单 ›
            </Text>
          ) : null}
        </View>
      ) : null}

      <ActionButton
        id='account-delete-submit'
        className='account-delete__submit'
        loading={deleting}
        disabled={!understood || deleting || undefined}
        onClick={() => setStep({ kind: 'confirming' })}
      >
        {deleting ? '正在注销…' : '注销账号'}
      </ActionButton>
      <Text
        id='account-delete-cancel'
        className='account-delete__cancel'
        onClick={() => void Taro.navigateBack().catch(() => backToHome())}
      >
        暂不注销
      </Text>

      <Dialog
        className='account-delete__dialog'
        visible={step.kind === 'confirming'}
        title='确定注销账号？'
        content='注销后个人信息将被删除，积分与优惠券作废，此操作不可撤销。'
        confirmText='确定注销'
        cancelText='再想想'
        onConfirm={() => void confirmDeletion()}
        onCancel={() => setStep({ kind: 'reading' })}
        onClose={() => setStep((current) => (current.kind === 'confirming' ? { kind: 'reading' } : current))}
      />
    </View>
  );
}
