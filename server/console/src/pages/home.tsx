import { Card, Descriptions, Typography } from 'antd';
import { loadSession, ROLE_LABELS } from '../session';

/** The landing page after sign-in: who is signed in, with which role and stores. */
export default function HomePage() {
  const session = loadSession();
  if (!session) return null;
  return (
    <Card id='console-home'>
      <Typography.Title level={4}>欢迎，{session.name ?? ROLE_LABELS[session.role]}</Typography.Title>
      <Descriptions column={1}>
        <Descriptions.Item label='角色'>{ROLE_LABELS[session.role]}</Descriptions.Item>
        <Descriptions.Item label='门店'>{session.role === 'admin' ? '全部门店' : session.stores.join('、') || '—'}</Descriptions.Item>
        <Descriptions.Item label='登录有效期至'>{new Date(session.expiresAt).toLocaleString('zh-CN', { hour12: false })}</Descriptions.Item>
      </Descriptions>
    </Card>
  );
}
