import { consoleLoginQrContent, type ConsoleLoginPollView, type ConsoleLoginTicketView, type PublicConfig } from '@member/shared';
import { Alert, Button, Card, Result, Spin, Typography } from 'antd';
import QRCode from 'qrcode';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from '../api';
import { saveSession } from '../session';

const POLL_MS = 1500;

type Shown = { ticket: ConsoleLoginTicketView; qr: string; link: string };

/**
 * 扫码登录: the console shows a one-time QR code; a store manager or HQ member scans it with the mini-program's
 * staff pages (员工入口 → 扫码登录后台), sees this browser named, and confirms. The page polls with its secret and
 * signs in once the phone confirms; a denied or expired code says so and offers a new one.
 */
export default function LoginPage() {
  const [shown, setShown] = useState<Shown | null>(null);
  const [status, setStatus] = useState<ConsoleLoginPollView['status']>('pending');
  const [staffName, setStaffName] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // One more per answered poll: the next poll is scheduled by this changing, even when the answer did not.
  const [polls, setPolls] = useState(0);
  // The demo (npm start) runs against the WeChat emulator: there is no phone, so the confirming page is a link.
  const [publicConfig, setPublicConfig] = useState<PublicConfig | null>(null);
  useEffect(() => {
    api<PublicConfig>('public-config').then(setPublicConfig, () => setPublicConfig(null));
  }, []);

  const fresh = useCallback(async () => {
    setError(null);
    setShown(null);
    setStatus('pending');
    setStaffName(null);
    try {
      const ticket = await api<ConsoleLoginTicketView>('console/login-tickets', { method: 'POST' });
      const link = consoleLoginQrContent(location.origin, ticket.ticketId);
      const qr = await QRCode.toDataURL(link, { width: 240, margin: 1, errorCorrectionLevel: 'M' });
      setShown({ ticket, qr, link });
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : '二维码获取失败，请刷新重试');
    }
  }, []);

  useEffect(() => {
    void fresh();
  }, [fresh]);

  useEffect(() => {
    if (!shown || status === 'denied' || status === 'expired' || status === 'collected') return;
    const timer = setTimeout(async () => {
      try {
        const poll = await api<ConsoleLoginPollView>(`console/login-tickets/${shown.ticket.ticketId}?secret=${shown.ticket.pollSecret}`);
        setStaffName(poll.staffName);
        if (poll.session) saveSession(poll.session);
        // Collected without a session here: another page of this browser took it; this code is spent.
        setStatus(poll.status === 'collected' && !poll.session ? 'expired' : poll.status);
        setPolls((count) => count + 1);
      } catch (failure) {
        // A network blip: the next poll tries again; a refused poll means this code is gone.
        if (failure instanceof ApiError && failure.status > 0) setStatus('expired');
        else setPolls((count) => count + 1);
      }
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [shown, status, polls]);

  const ended = status === 'denied' || status === 'expired' || (status === 'collected' && !shown);
  return (
    <div style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: '#f3f4f7' }}>
      <Card style={{ width: 420, textAlign: 'center' }} id='console-login'>
        <Typography.Title level={3} style={{ marginBottom: 4 }}>
          {publicConfig?.appName ?? '会员中心'} · 管理后台
        </Typography.Title>
        <Typography.Paragraph type='secondary'>总部与店长使用，请用小程序「员工入口 → 扫码登录后台」扫码</Typography.Paragraph>
        {error && <Alert type='error' showIcon title={error} action={<Button onClick={() => void fresh()}>重试</Button>} />}
        {!error && !shown && <Spin style={{ margin: 80 }} />}
        {shown && !ended && (
          <div style={{ position: 'relative', display: 'inline-block' }}>
            <img id='console-login-qr' src={shown.qr} width={240} height={240} alt='登录二维码' data-ticket={shown.ticket.ticketId} />
            {status === 'scanned' && (
              <div id='console-login-scanned' style={overlay}>
                <Typography.Text strong>已扫码{staffName ? `：${staffName}` : ''}</Typography.Text>
                <Typography.Text type='secondary'>请在手机上确认登录</Typography.Text>
              </div>
            )}
            {(status === 'confirmed' || status === 'collected') && (
              <div style={overlay}>
                <Spin />
                <Typography.Text>正在登录…</Typography.Text>
              </div>
            )}
          </div>
        )}
        {shown && ended && (
          <Result
            status={status === 'denied' ? 'warning' : 'info'}
            title={<span id='console-login-ended'>{status === 'denied' ? '已在手机上拒绝登录' : '二维码已过期'}</span>}
            subTitle={status === 'denied' ? '如需登录，请刷新二维码后重新扫码' : '二维码有效期为几分钟，请刷新后重新扫码'}
            extra={
              <Button type='primary' id='console-login-refresh' onClick={() => void fresh()}>
                刷新二维码
              </Button>
            }
          />
        )}
        {shown && !ended && (
          <Typography.Paragraph type='secondary' style={{ marginTop: 16, fontSize: 12 }}>
            二维码 {new Date(shown.ticket.expiresAt).toLocaleTimeString('zh-CN', { hour12: false })} 前有效，仅能使用一次
            {publicConfig?.emulatorBaseUrl && (
              <>
                <br />
                演示环境没有手机？在新标签页以店长身份打开{' '}
                <a id='console-login-demo-link' href={demoLink(shown.link)} target='_blank' rel='noreferrer'>
                  确认页面
                </a>
              </>
            )}
          </Typography.Paragraph>
        )}
      </Card>
    </div>
  );
}

const overlay = {
  position: 'absolute',
  inset: 0,
  background: 'rgba(255,255,255,0.94)',
  display: 'flex',
  flexDirection: 'column',
  alignItems: 'center',
  justifyContent: 'center',
  gap: 8,
} as const;

/** The H5 staff page as the demo's store manager (the H5 build picks its emulated WeChat user from ?user=). */
function demoLink(link: string): string {
  const [base, hash] = link.split('#');
  return `${base}?user=clerk#${hash}`;
}
