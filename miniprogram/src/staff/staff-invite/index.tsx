import { useCallback, useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { STAFF_ROLE_LABELS, staffInviteFromScan, type StaffInvitePreview } from '@member/shared';
import { acceptStaffInvite, messageOf, previewStaffInvite } from '../../api';
import { renewSession } from '../../api/session';
import ActionButton from '../../components/ActionButton';
import StateView from '../../components/StateView';
import './index.scss';

type State =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'asking'; invite: StaffInvitePreview }
  | { kind: 'joined'; invite: StaffInvitePreview };

const STATUS_TEXT: Record<StaffInvitePreview['status'], string | null> = {
  pending: null,
  accepted: '该邀请已被使用',
  revoked: '该邀请已被撤销',
  expired: '邀请已过期，请联系邀请人重新生成',
};

/**
 * The token from the page's query: `invite` when opened from the H5 link or the in-app scanner, or `q` (the whole
 * scanned address) when WeChat opened the page from a plain-link QR code (扫普通链接二维码打开小程序).
 */
function tokenFromQuery(): string {
  const params = Taro.getCurrentInstance().router?.params ?? {};
  if (params.invite) return params.invite;
  if (params.q) return staffInviteFromScan(decodeURIComponent(params.q)) ?? '';
  return '';
}

/**
 * 加入门店团队: someone scanned a staff invite from the console. They are not staff yet (the calls are member
 * calls); the page shows which store and role, and who invites, and makes them staff on 接受邀请 (once: the code
 * is single use). Then the staff pages open for them.
 */
export default function StaffInvitePage() {
  const [token] = useState(tokenFromQuery);
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    if (!token) return setState({ kind: 'error', message: '这不是有效的员工邀请二维码' });
    setState({ kind: 'loading' });
    try {
      setState({ kind: 'asking', invite: await previewStaffInvite(token) });
    } catch (failure) {
      setState({ kind: 'error', message: messageOf(failure) });
    }
  }, [token]);

  useEffect(() => {
    void load();
  }, [load]);

  const accept = async (invite: StaffInvitePreview) => {
    setBusy(true);
    try {
      await acceptStaffInvite(token);
      // The session says whether this user is staff (the card shows 员工入口 from it): log in again to pick it up.
      await renewSession().catch(() => undefined);
      setState({ kind: 'joined', invite });
    } catch (failure) {
      setState({ kind: 'error', message: messageOf(failure) });
    } finally {
      setBusy(false);
    }
  };

  const home = () => void Taro.reLaunch({ url: '/pages/card/index' });
  return (
    <View className='page staff-invite'>
      {state.kind === 'loading' ? <StateView status='loading' idPrefix='staff-invite' /> : null}
      {state.kind === 'error' ? (
        <StateView status='error' idPrefix='staff-invite' title='无法加入' message={state.message} retryText='返回首页' onRetry={home} />
      ) : null}
      {state.kind === 'asking' ? (
        <View className='staff-invite__box' id='staff-invite-request'>
          <View className='staff-invite__badge'>
            <Text>邀</Text>
          </View>
          <Text className='staff-invite__title'>
            {state.invite.invitedBy ? `${state.invite.invitedBy} 邀请您加入` : '邀请您加入门店团队'}
          </Text>
          <View className='staff-invite__facts'>
            <Text>
              角色：<Text id='staff-invite-role'>{STAFF_ROLE_LABELS[state.invite.role]}</Text>
            </Text>
            <Text>
              门店：
              <Text id='staff-invite-stores'>
                {state.invite.role === 'admin' ? '全部门店' : state.invite.stores.map((s) => s.name).join('、')}
              </Text>
            </Text>
            {state.invite.name ? <Text>姓名：{state.invite.name}</Text> : null}
            <Text>有效期至 {new Date(state.invite.expiresAt).toLocaleString('zh-CN', { hour12: false, timeZone: 'Asia/Shanghai' })}</Text>
          </View>
          {STATUS_TEXT[state.invite.status] ? (
            <Text className='staff-invite__warn' id='staff-invite-unusable'>
              {STATUS_TEXT[state.invite.status]}
            </Text>
          ) : (
            <>
              <Text className='staff-invite__hint'>接受后，您的微信账号将可使用员工功能（收银、核销等），由门店管理。</Text>
              <ActionButton
                id='staff-invite-accept'
                className='primary-button'
                loading={busy}
                disabled={busy}
                onClick={() => void accept(state.invite)}
              >
                接受邀请
              </ActionButton>
            </>
          )}
          <ActionButton className='ghost-button' disabled={busy} onClick={home}>
            暂不加入
          </ActionButton>
        </View>
      ) : null}
      {state.kind === 'joined' ? (
        <View className='staff-invite__box' id='staff-invite-joined'>
          <Text className='staff-invite__title'>已加入门店团队</Text>
          <Text className='staff-invite__hint'>
            您现在是{state.invite.stores.map((s) => s.name).join('、') || '总部'}的{STAFF_ROLE_LABELS[state.invite.role]}
          </Text>
          <ActionButton
            id='staff-invite-open-staff'
            className='primary-button'
            onClick={() => void Taro.reLaunch({ url: '/staff/home/index' })}
          >
            进入员工工作台
          </ActionButton>
        </View>
      ) : null}
    </View>
  );
}
