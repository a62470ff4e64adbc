import { useCallback, useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { consoleTicketFromScan, type ConsoleLoginRequestView } from '@member/shared';
import { decideConsoleLogin, messageOf, scanConsoleLogin } from '../../api';
import ActionButton from '../../components/ActionButton';
import StateView from '../../components/StateView';
import platform from '../../platform';
import './index.scss';

type State =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'asking'; request: ConsoleLoginRequestView }
  | { kind: 'done'; decision: 'confirm' | 'deny' };

const time = (iso: string) => new Date(iso).toLocaleTimeString('zh-CN', { hour12: false, timeZone: 'Asia/Shanghai' });

/**
 * 扫码登录后台: a store manager or HQ member scanned the console's QR code (or opened this page from 员工入口 and
 * scans here). The page names the browser that asks and when, so a code photographed from someone else's screen
 * is recognised, and signs it in only on 确认登录.
 */
export default function ConsoleLoginPage() {
  const [ticket, setTicket] = useState(Taro.getCurrentInstance().router?.params?.ticket ?? '');
  const [state, setState] = useState<State>({ kind: ticket ? 'loading' : 'idle' });
  const [busy, setBusy] = useState<'confirm' | 'deny' | null>(null);

  const open = useCallback(async (id: string) => {
    setState({ kind: 'loading' });
    try {
      setState({ kind: 'asking', request: await scanConsoleLogin(id) });
    } catch (failure) {
      setState({ kind: 'error', message: messageOf(failure) });
    }
  }, []);

  useEffect(() => {
    if (ticket) void open(ticket);
  }, [ticket, open]);

  const scan = async () => {
    try {
      const scanned = await platform.scanCode();
      if (scanned === null) return;
      const id = consoleTicketFromScan(scanned);
      if (!id) return setState({ kind: 'error', message: '这不是管理后台的登录二维码' });
      setTicket(id);
    } catch (failure) {
      setState({ kind: 'error', message: messageOf(failure) });
    }
  };

  const decide = async (decision: 'confirm' | 'deny') => {
    setBusy(decision);
    try {
      await decideConsoleLogin(ticket, decision);
      setState({ kind: 'done', decision });
    } catch (failure) {
      setState({ kind: 'error', message: messageOf(failure) });
    } finally {
      setBusy(null);
    }
  };

  return (
    <View className='page console-login'>
      {state.kind === 'loading' ? <StateView status='loading' idPrefix='console-login' /> : null}
      {state.kind === 'error' ? (
        <StateView
          status='error'
          idPrefix='console-login'
          title='无法登录'
          message={state.message}
          retryText={platform.canScan ? '重新扫码' : '返回'}
          onRetry={() =>
            platform.canScan ? void scan() : void Taro.navigateBack().catch(() => Taro.reLaunch({ url: '/staff/home/index' }))
          }
        />
      ) : null}
      {state.kind === 'idle' ? (
        <View className='console-login__box'>
          <Text className='console-login__title'>登录管理后台</Text>
          <Text className='console-login__hint'>在电脑浏览器打开管理后台（/console），用此处扫描页面上的二维码</Text>
          {platform.canScan ? (
            <ActionButton id='console-login-scan' className='primary-button' onClick={() => void scan()}>
              扫一扫
            </ActionButton>
          ) : (
            <Text className='console-login__hint'>当前环境无法打开相机，请在微信小程序中使用</Text>
          )}
        </View>
      ) : null}
      {state.kind === 'asking' ? (
        <View className='console-login__box' id='console-login-request'>
          <View className='console-login__screen'>
            <Text>后台</Text>
          </View>
          <Text className='console-login__title'>确认登录管理后台？</Text>
          <View className='console-login__facts'>
            <Text>
              登录设备：<Text id='console-login-client'>{state.request.client}</Text>
            </Text>
            {state.request.ip ? <Text>网络地址：{state.request.ip}</Text> : null}
            <Text>二维码生成于 {time(state.request.requestedAt)}</Text>
          </View>
          <Text className='console-login__warn'>请确认是您本人正在电脑上操作；不认识的请求请点「取消登录」</Text>
          <ActionButton
            id='console-login-confirm'
            className='primary-button'
            loading={busy === 'confirm'}
            disabled={busy !== null}
            onClick={() => void decide('confirm')}
          >
            确认登录
          </ActionButton>
          <ActionButton
            id='console-login-deny'
            className='ghost-button'
            loading={busy === 'deny'}
            disabled={busy !== null}
            onClick={() => void decide('deny')}
          >
            取消登录
          </ActionButton>
        </View>
      ) : null}
      {state.kind === 'done' ? (
        <View className='console-login__box' id={`console-login-${state.decision === 'confirm' ? 'confirmed' : 'denied'}`}>
          <Text className='console-login__title'>{state.decision === 'confirm' ? '已确认登录' : '已取消本次登录'}</Text>
          <Text className='console-login__hint'>
            {state.decision === 'confirm' ? '请在电脑上继续操作；离开时请在后台点「退出登录」' : '电脑上的二维码已失效，不会登录'}
          </Text>
          <ActionButton
            className='ghost-button'
            onClick={() => void Taro.navigateBack().catch(() => Taro.reLaunch({ url: '/staff/home/index' }))}
          >
            返回
          </ActionButton>
        </View>
      ) : null}
    </View>
  );
}
