import { useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import { Switch, Text, View } from '@tarojs/components';
import ActionButton from '../../components/ActionButton';
import { SubscribeMoment, type MessageKindView, type MessagePreferencesResponse } from '@member/shared';
import { ensureSession, messageOf, setMessagePreference } from '../../api';
import StateView from '../../components/StateView';
import { useLoader } from '../../hooks/useLoader';
import { acceptedCount, kindStatus, kindsToAsk } from '../../utils/messages';
import { askAtMoment, keepMessagePreferences, onMessagePreferences, refreshMessagePreferences } from '../../utils/subscribe';
import './index.scss';

async function fetchPreferences(): Promise<MessagePreferencesResponse> {
  await ensureSession();
  return refreshMessagePreferences();
}

/** Brand red for the switches (WeChat's default is its green). */
const SWITCH_COLOR = '#e8453c';

/**
 * The member's subscription messages: what each kind is, how many WeChat lets us send (one per 允许), a switch
 * per kind that stops them here, and a button that asks WeChat for the ones not yet allowed.
 */
export default function MessagesPage() {
  const { state, reload, update } = useLoader(fetchPreferences, { blockedBy: ['MEMBER_NOT_JOINED'] });
  const [saving, setSaving] = useState<Partial<Record<MessageKindView['kind'], boolean>>>({});
  const [subscribing, setSubscribing] = useState(false);

  // A report's answer (from this page's button or any other page) shows at once.
  useEffect(() => onMessagePreferences((preferences) => update(() => preferences)), [update]);

  const toggle = async (view: MessageKindView, enabled: boolean) => {
    if (enabled === view.enabled) return;
    const show = (on: boolean) =>
      update((data) => ({ ...data, kinds: data.kinds.map((k) => (k.kind === view.kind ? { ...k, enabled: on } : k)) }));
    show(enabled);
    setSaving((current) => ({ ...current, [view.kind]: true }));
    try {
      keepMessagePreferences(await setMessagePreference(view.kind, enabled));
      void Taro.showToast({ title: enabled ? '已打开' : '已关闭', icon: 'none' });
    } catch (error) {
      show(view.enabled);
      void Taro.showToast({ title: messageOf(error), icon: 'none' });
    } finally {
      setSaving((current) => ({ ...current, [view.kind]: false }));
    }
  };

  const subscribe = (preferences: MessagePreferencesResponse) => {
    // First, inside the tap (WeChat's rule).
    const asking = askAtMoment(SubscribeMoment.NotifyMe);
    if (kindsToAsk(preferences, SubscribeMoment.NotifyMe).length === 0) {
      const offered = preferences.moments[SubscribeMoment.NotifyMe] ?? [];
      void Taro.showToast({ title: offered.length === 0 ? '请先打开想接收的消息' : '已全部开启，收到消息后可再次订阅', icon: 'none' });
      return;
    }
    setSubscribing(true);
    void asking
      .then((outcome) => {
        if (acceptedCount(outcome.results) > 0)
          void Taro.showToast({ title: outcome.preferences ? '已开启消息通知' : '已开启，稍后同步', icon: 'none' });
      })
      .finally(() => setSubscribing(false));
  };

  if (state.kind === 'loading') {
    return (
      <View className='page messages-page'>
        <StateView status='loading' idPrefix='messages-page' title='正在加载消息设置…' />
      </View>
    );
  }
  if (state.kind === 'error') {
    return (
      <View className='page messages-page'>
        <StateView
          status='error'
          idPrefix='messages-page'
          title='消息设置加载失败'
          message={state.message}
          onRetry={() => void reload(false)}
        />
      </View>
    );
  }
  if (state.kind === 'blocked') {
    return (
      <View className='page messages-page'>
        <StateView
          status='empty'
          idPrefix='messages-page'
          title='开通会员后即可接收消息'
          message='优惠券到账、过期提醒和生日祝福仅发送给会员'
          retryText='去开通会员'
          onRetry={() => void Taro.navigateTo({ url: '/pages/join/index' })}
        />
      </View>
    );
  }

  const preferences = state.data;
  return (
    <View className='page messages-page'>
      <View className='section messages-page__list'>
        {preferences.kinds.length === 0 ? (
          <StateView status='empty' compact idPrefix='messages-page' title='暂无可订阅的消息' />
        ) : (
          preferences.kinds.map((view) => {
            const status = kindStatus(view, preferences);
            return (
              <View key={view.kind} id={`message-kind-${view.kind}`} className={`message-row${view.enabled ? '' : ' message-row--off'}`}>
                <View className='message-row__text'>
                  <Text className='message-row__title'>{view.title}</Text>
                  <Text className='message-row__desc'>{view.description}</Text>
                  <Text id={`message-remaining-${view.kind}`} className={`message-row__remaining message-row__remaining--${status.status}`}>
                    {status.text}
                  </Text>
                </View>
                {status.status === 'waiting' ? (
                  // Nothing can be sent yet: a switch shown "on" beside 未开启 would contradict it, and only WeChat's
                  // sheet can open it, so the row offers that sheet instead.
                  <Text
                    id={`message-enable-${view.kind}`}
                    className='message-row__enable'
                    onClick={() => {
                      if (!subscribing) subscribe(preferences);
                    }}
                  >
                    去开启
                  </Text>
                ) : (
                  <Switch
                    id={`message-switch-${view.kind}`}
                    className='message-row__switch'
                    checked={view.enabled}
                    color={SWITCH_COLOR}
                    disabled={saving[view.kind] || undefined}
                    onChange={(event) => void toggle(view, Boolean(event.detail.value))}
                  />
                )}
              </View>
            );
          })
        )}
      </View>

      <View id='messages-note' className='messages-page__note'>
        <Text className='messages-page__note-line'>
          领券、保存生日时，微信会询问是否接收提醒，选择「允许」即可开启；收到提醒后，下次可再次开启。
        </Text>
        <Text className='messages-page__note-line'>关闭某类消息后，我们不会再向您发送该类消息，重新打开即可恢复。</Text>
      </View>

      <ActionButton
        id='messages-subscribe'
        className='primary-button messages-page__subscribe'
        loading={subscribing}
        disabled={subscribing || undefined}
        onClick={() => subscribe(preferences)}
      >
        开启消息通知
      </ActionButton>
    </View>
  );
}
