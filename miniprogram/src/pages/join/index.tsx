import { useCallback, useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import type { JoinRequest } from '@member/shared';
import { ensureSession, isApiError, joinMembership, loadPublicConfig, messageOf } from '../../api';
import ConsentCheck from '../../components/ConsentCheck';
import StateView from '../../components/StateView';
import platform from '../../platform';
import PhoneNumberButton from '../../platform/PhoneNumberButton';
import { openPage } from '../../utils/navigation';
import './index.scss';

type PageState =
  { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'joined' } | { kind: 'form'; policyVersion: string; appName: string };

export default function JoinPage() {
  const [state, setState] = useState<PageState>({ kind: 'loading' });
  const [agreed, setAgreed] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState('');

  const load = useCallback(async () => {
    setState({ kind: 'loading' });
    try {
      const [config, session] = await Promise.all([loadPublicConfig(), ensureSession()]);
      setState(
        session.member.joined ? { kind: 'joined' } : { kind: 'form', policyVersion: config.privacyPolicyVersion, appName: config.appName },
      );
    } catch (failure) {
      setState({ kind: 'error', message: messageOf(failure) });
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const goToCard = () => void Taro.reLaunch({ url: '/pages/card/index' });

  /** WeChat's own privacy contract sheet where there is one (weapp), else our formatted policy page. */
  const showPolicy = async () => {
    if (await platform.openPrivacyContract()) return;
    openPage('/pages/privacy/index');
  };

  /** A document's title in the consent line: opens its page. */
  const docLink = (id: string, title: string, url: string) => (
    <Text id={id} className='join-page__policy-name' onClick={() => openPage(url)}>
      {title}
    </Text>
  );

  const join = async (phoneCode: string) => {
    if (state.kind !== 'form') return;
    // The button is inactive until the box is ticked; this is the second lock, so no path joins without consent.
    if (!agreed) {
      setError('请先勾选同意隐私保护指引');
      return;
    }
    setError('');
    setSubmitting(true);
    const request: JoinRequest = { privacyAccepted: true, privacyPolicyVersion: state.policyVersion, phoneCode };
    try {
      await joinMembership(request);
      void Taro.showToast({ title: '开通成功', icon: 'success', duration: 1200 });
      setTimeout(goToCard, 600);
    } catch (failure) {
      if (isApiError(failure) && failure.code === 'MEMBER_ALREADY_JOINED') {
        setState({ kind: 'joined' });
      } else {
        setError(messageOf(failure));
      }
    } finally {
      setSubmitting(false);
    }
  };

  if (state.kind === 'loading') {
    return (
      <View className='page join-page'>
        <StateView status='loading' idPrefix='join-page' />
      </View>
    );
  }
  if (state.kind === 'error') {
    return (
      <View className='page join-page'>
        <StateView status='error' idPrefix='join-page' message={state.message} onRetry={() => void load()} />
      </View>
    );
  }
  if (state.kind === 'joined') {
    return (
      <View className='page join-page'>
        <StateView
          status='empty'
          idPrefix='join-page'
          title='您已经是会员了'
          message='会员卡已开通，直接出示会员码即可享受权益'
          onRetry={goToCard}
          retryText='查看会员卡'
        />
      </View>
    );
  }

  return (
    <View className='page join-page'>
      <View className='join-hero'>
        <Text className='join-hero__title'>开通{state.appName || '会员'}</Text>
        <Text className='join-hero__subtitle'>验证手机号即可领取会员卡，积分、等级、生日礼遇立即生效</Text>
      </View>

      <View className='section join-steps'>
        <View className='join-steps__item'>
          <Text className='join-steps__no'>1</Text>
          <Text className='join-steps__text'>阅读并同意用户协议和隐私政策</Text>
        </View>
        <View className='join-steps__item'>
          <Text className='join-steps__no'>2</Text>
          <Text className='join-steps__text'>通过微信验证手机号，完成开通</Text>
        </View>
      </View>

      <View className='section'>
        {/* The documents' links sit beside the tick, not inside it: tapping a title opens it and never ticks the box. */}
        <View className='join-page__consent'>
          <ConsentCheck id='join-privacy' checked={agreed} onChange={setAgreed} disabled={submitting}>
            <Text>我已阅读并同意</Text>
          </ConsentCheck>
          {docLink('join-agreement-doc', '《用户协议》', '/pages/agreement/index')}
          <Text>和</Text>
          {docLink('join-privacy-doc', '《隐私政策》', '/pages/privacy/index')}
        </View>
        <View className='join-page__policy-meta'>
          <Text>指引版本 {state.policyVersion}</Text>
          <Text id='join-privacy-link' className='join-page__policy-link' onClick={() => void showPolicy()}>
            查看全文
          </Text>
        </View>

        <View className='join-page__action'>
          <PhoneNumberButton
            id='join-phone'
            label={submitting ? '正在开通…' : '验证手机号并开通'}
            disabled={!agreed}
            loading={submitting}
            onCode={(code) => void join(code)}
            onFail={setError}
          />
          {!agreed ? <Text className='join-page__hint'>请先勾选同意隐私保护指引</Text> : null}
        </View>

        {error ? (
          <Text id='join-error' className='form-error'>
            {error}
          </Text>
        ) : null}
      </View>
    </View>
  );
}
