import {
  MESSAGE_KINDS,
  type AuditLogEntry,
  type AuditLogPage,
  type ConsoleWalletResponse,
  type FeedbackCaseSummary,
  type FeedbackListResponse,
  type GiveCouponView,
  type GoodwillOptions,
  type MemberConsoleProfile,
  type MemberMessageRow,
  type MemberMessagesResponse,
  type MemberOrderListResponse,
  type MemberOrderView,
  type MemberPhoneReveal,
  type MessageKind,
  type PointsAdjustmentView,
  type PointsHistoryLine,
  type PointsResponse,
  type WalletTab,
} from '@member/shared';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
  type TableColumnsType,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { api, ApiError, query } from '../api';
import { formatFen } from '../components/Money';
import { PageState } from '../components/PageState';
import { useLoad } from '../hooks';
import { loadSession } from '../session';
import { AccountTag, formatTime, LIFECYCLE_LABELS, TIER_LABELS } from './members';

/** What each role may do here (MEMBER_CONSOLE_ACTIONS in shared/src/member-console.ts; the server enforces it). */
const ROLE_NOTE: Record<string, string> = {
  admin: '总部可查看完整手机号（记入操作记录）、调整积分（单次上限见系统设置）和赠送优惠券。',
  store_manager: '店长可向本店会员赠送优惠券（面值在店长补偿额度内）；调整积分和查看完整手机号仅限总部。',
  clerk: '',
};

const newKey = () => crypto.randomUUID().replace(/-/g, '');
const failureOf = (error: unknown) => (error instanceof ApiError ? error : new ApiError('INTERNAL_ERROR', '系统繁忙，请稍后再试', 0));

/**
 * 会员详情: the profile with the actions this role may take (the server says which: profile.actions, and
 * refuses the others with 403), and one tab per part of the member's history. Each action asks for
 * confirmation in a dialog; its idempotency key is made when the dialog opens, so a retried 确定 after a lost
 * answer repeats the same action instead of doing it twice.
 */
export default function MemberDetailPage() {
  const { id } = useParams();
  const memberId = Number(id);
  const navigate = useNavigate();
  const profile = useLoad(() => api<MemberConsoleProfile>(`staff/console/members/${memberId}`), [memberId]);
  const [round, setRound] = useState(0);
  const changed = useCallback(() => {
    profile.reload();
    setRound((value) => value + 1);
  }, [profile]);

  return (
    <Space direction='vertical' size='middle' style={{ width: '100%' }} id='member-detail'>
      <Button onClick={() => navigate(-1)} id='member-back'>
        返回
      </Button>
      <PageState loaded={profile}>
        {(member) => (
          <>
            <Card
              title={
                <Space>
                  <span id='member-title'>{member.nickname ?? '未设置昵称'}</span>
                  <Tag color='gold'>{TIER_LABELS[member.tier] ?? member.tier}</Tag>
                  <AccountTag status={member.accountStatus} />
                </Space>
              }
              extra={<MemberActions member={member} onChanged={changed} />}
            >
              <Typography.Paragraph type='secondary' id='member-role-note' style={{ marginTop: -8 }}>
                {ROLE_NOTE[loadSession()?.role ?? 'clerk']}
              </Typography.Paragraph>
              <Descriptions column={4} size='small'>
                <Descriptions.Item label='会员号'>{member.id}</Descriptions.Item>
                <Descriptions.Item label='手机号'>
                  <PhoneField member={member} />
                </Descriptions.Item>
                <Descriptions.Item label='积分余额'>
                  <span id='member-points-balance'>{member.pointsBalance}</span>
                </Descriptions.Item>
                <Descriptions.Item label='状态'>{LIFECYCLE_LABELS[member.lifecycleStatus] ?? member.lifecycleStatus}</Descriptions.Item>
                <Descriptions.Item label='入会时间'>{formatTime(member.joinedAt)}</Descriptions.Item>
                <Descriptions.Item label='最近消费'>{formatTime(member.lastPurchaseAt)}</Descriptions.Item>
                <Descriptions.Item label='生日'>{member.birthday ?? '—'}</Descriptions.Item>
                <Descriptions.Item label='消费门店'>{member.stores.join('、') || '—'}</Descriptions.Item>
              </Descriptions>
            </Card>
            <Card>
              <Tabs
                id='member-tabs'
                destroyOnHidden
                items={[
                  { key: 'purchases', label: '消费记录', children: <PurchasesTab memberId={memberId} round={round} /> },
                  { key: 'points', label: '积分明细', children: <PointsTab memberId={memberId} round={round} /> },
                  { key: 'coupons', label: '优惠券', children: <CouponsTab memberId={memberId} round={round} /> },
                  { key: 'messages', label: '消息', children: <MessagesTab memberId={memberId} /> },
                  { key: 'feedback', label: '投诉反馈', children: <FeedbackTab memberId={memberId} /> },
                  { key: 'audit', label: '操作记录', children: <AuditTab memberId={memberId} round={round} /> },
                ]}
              />
            </Card>
          </>
        )}
      </PageState>
    </Space>
  );
}

/** The masked number; HQ may reveal the full one after confirming that the reveal is recorded. */
function PhoneField({ member }: { member: MemberConsoleProfile }) {
  const { modal, message } = AntApp.useApp();
  const [phone, setPhone] = useState<string | null>(null);
  if (phone) return <span id='member-phone-full'>{phone}</span>;
  const reveal = () =>
    modal.confirm({
      title: '查看完整手机号',
      content: '查看完整手机号会记入操作记录，仅在必要时使用。',
      okText: '查看',
      cancelText: '取消',
      onOk: async () => {
        try {
          const answer = await api<MemberPhoneReveal>(`staff/console/members/${member.id}/phone-reveal`, { method: 'POST' });
          setPhone(answer.phone ?? '未绑定');
        } catch (error) {
          void message.error(failureOf(error).message);
        }
      },
    });
  return (
    <Space>
      <span id='member-phone'>{member.phoneMasked ?? '未绑定'}</span>
      {member.phoneMasked && member.actions.includes('reveal_phone') && (
        <Button size='small' type='link' id='member-reveal-phone' onClick={reveal}>
          查看完整号码
        </Button>
      )}
    </Space>
  );
}

function MemberActions({ member, onChanged }: { member: MemberConsoleProfile; onChanged: () => void }) {
  const [open, setOpen] = useState<'points' | 'coupon' | null>(null);
  if (member.actions.length === 0)
    return <Typography.Text type='secondary'>{member.accountStatus === 'deleted' ? '已注销' : ''}</Typography.Text>;
  return (
    <Space>
      {member.actions.includes('adjust_points') && (
        <Button id='member-adjust-points' onClick={() => setOpen('points')}>
          调整积分
        </Button>
      )}
      {member.actions.includes('give_coupon') && (
        <Button id='member-give-coupon' type='primary' onClick={() => setOpen('coupon')}>
          赠送优惠券
        </Button>
      )}
      {open === 'points' && <AdjustPointsModal memberId={member.id} onClose={() => setOpen(null)} onDone={onChanged} />}
      {open === 'coupon' && <GiveCouponModal memberId={member.id} onClose={() => setOpen(null)} onDone={onChanged} />}
    </Space>
  );
}

function AdjustPointsModal({ memberId, onClose, onDone }: { memberId: number; onClose: () => void; onDone: () => void }) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ points: number; reason: string }>();
  const [key] = useState(newKey);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const values = await form.validateFields();
    setBusy(true);
    setError(null);
    try {
      const done = await api<PointsAdjustmentView>(`staff/console/members/${memberId}/points-adjustments`, {
        method: 'POST',
        json: { points: values.points, reason: values.reason, idempotencyKey: key },
      });
      void message.success(`已调整 ${done.points > 0 ? '+' : ''}${done.points} 积分，余额 ${done.balanceAfter}`);
      onDone();
      onClose();
    } catch (failure) {
      setError(failureOf(failure).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title='调整积分' okText='确认调整' cancelText='取消' confirmLoading={busy} onOk={() => void submit()} onCancel={onClose}>
      <Form form={form} layout='vertical' id='adjust-points-form'>
        <Form.Item name='points' label='积分（正数增加，负数扣减）' rules={[{ required: true, message: '请输入积分' }]}>
          <InputNumber id='adjust-points-value' precision={0} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name='reason' label='原因' rules={[{ required: true, min: 2, max: 200, message: '请填写 2-200 字的原因' }]}>
          <Input id='adjust-points-reason' maxLength={200} />
        </Form.Item>
      </Form>
      {error && <Alert type='error' showIcon title={error} />}
    </Modal>
  );
}

function GiveCouponModal({ memberId, onClose, onDone }: { memberId: number; onClose: () => void; onDone: () => void }) {
  const { message } = AntApp.useApp();
  const options = useLoad(() => api<GoodwillOptions>(`staff/console/members/${memberId}/coupon-options`), [memberId]);
  const [form] = Form.useForm<{ templateId: number; reason: string }>();
  const [key] = useState(newKey);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const values = await form.validateFields();
    setBusy(true);
    setError(null);
    try {
      const gift = await api<GiveCouponView>(`staff/console/members/${memberId}/coupons`, {
        method: 'POST',
        json: { templateId: values.templateId, reason: values.reason, idempotencyKey: key },
      });
      void message.success(`已赠送「${gift.couponName}」`);
      onDone();
      onClose();
    } catch (failure) {
      setError(failureOf(failure).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title='赠送优惠券' okText='确认赠送' cancelText='取消' confirmLoading={busy} onOk={() => void submit()} onCancel={onClose}>
      <PageState loaded={options} empty={(data) => data.coupons.length === 0} emptyText='没有您可赠送的优惠券'>
        {(data) => (
          <Form form={form} layout='vertical' id='give-coupon-form'>
            <Typography.Paragraph type='secondary'>单张面值上限 {formatFen(data.maxCouponFaceFen)}</Typography.Paragraph>
            <Form.Item name='templateId' label='优惠券' rules={[{ required: true, message: '请选择优惠券' }]}>
              <Select
                id='give-coupon-template'
                placeholder='选择优惠券'
                options={data.coupons.map((c) => ({
                  value: c.templateId,
                  label: `${c.name}（面值 ${formatFen(c.faceFen)}，剩余 ${c.remaining}）`,
                }))}
              />
            </Form.Item>
            <Form.Item name='reason' label='原因' rules={[{ required: true, min: 2, max: 200, message: '请填写 2-200 字的原因' }]}>
              <Input id='give-coupon-reason' maxLength={200} />
            </Form.Item>
          </Form>
        )}
      </PageState>
      {error && <Alert type='error' showIcon title={error} />}
    </Modal>
  );
}

/** A keyset-paged list: the first page on mount (and when `deps` change), 加载更多 for the next. */
function usePaged<T, P>(load: (cursor: P | null) => Promise<{ rows: T[]; next: P | null }>, deps: readonly unknown[]) {
  const [rows, setRows] = useState<T[] | undefined>();
  const [next, setNext] = useState<P | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const fetchPage = async (cursor: P | null) => {
    setLoading(true);
    try {
      const page = await load(cursor);
      setRows((previous) => (cursor === null ? page.rows : [...(previous ?? []), ...page.rows]));
      setNext(page.next);
      setError(null);
    } catch (failure) {
      setError(failureOf(failure));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    setRows(undefined);
    void fetchPage(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return { rows, next, error, loading, more: () => void fetchPage(next), retry: () => void fetchPage(null) };
}

function PagedTable<T extends object>({
  id,
  paged,
  columns,
  rowKey,
  emptyText,
}: {
  id: string;
  paged: ReturnType<typeof usePaged<T, unknown>>;
  columns: TableColumnsType<T>;
  rowKey: keyof T & string;
  emptyText: string;
}) {
  return (
    <Space direction='vertical' style={{ width: '100%' }}>
      {paged.error && (
        <Alert
          type='error'
          showIcon
          title={paged.error.message}
          action={
            <Button size='small' onClick={paged.retry}>
              重试
            </Button>
          }
        />
      )}
      <Table<T>
        id={id}
        rowKey={rowKey}
        size='small'
        columns={columns}
        dataSource={paged.rows ?? []}
        loading={paged.loading && paged.rows === undefined}
        pagination={false}
        locale={{ emptyText: paged.rows === undefined ? '加载中…' : emptyText }}
      />
      {paged.next !== null && (
        <Button onClick={paged.more} loading={paged.loading}>
          加载更多
        </Button>
      )}
    </Space>
  );
}

const ORDER_STATUS: Record<string, string> = { pending: '待支付', paid: '已支付', closed: '已关闭', flagged: '异常' };

function PurchasesTab({ memberId, round }: { memberId: number; round: number }) {
  const paged = usePaged<MemberOrderView, string>(
    async (cursor) => {
      const page = await api<MemberOrderListResponse>(`staff/console/members/${memberId}/purchases${query({ cursor })}`);
      return { rows: page.orders, next: page.nextCursor };
    },
    [memberId, round],
  );
  return (
    <PagedTable<MemberOrderView>
      id='member-purchases'
      rowKey='ref'
      paged={paged as ReturnType<typeof usePaged<MemberOrderView, unknown>>}
      emptyText='暂无消费记录'
      columns={[
        { title: '时间', dataIndex: 'at', render: formatTime },
        { title: '门店', dataIndex: 'storeName', render: (name: string, row) => `${name}（${row.storeCode}）` },
        { title: '渠道', dataIndex: 'kind', render: (kind: string) => (kind === 'app' ? '小程序' : '门店') },
        { title: '订单金额', dataIndex: 'grossFen', align: 'right', render: formatFen },
        {
          title: '优惠',
          key: 'discount',
          align: 'right',
          render: (_, row) => formatFen(row.memberDiscountFen + row.couponDiscountFen),
        },
        { title: '积分抵扣', dataIndex: 'pointsBurned', align: 'right' },
        { title: '实付', dataIndex: 'paidFen', align: 'right', render: formatFen },
        { title: '退款', dataIndex: 'refundedFen', align: 'right', render: (fen: number) => (fen ? formatFen(fen) : '—') },
        { title: '得积分', dataIndex: 'pointsEarned', align: 'right' },
        { title: '状态', dataIndex: 'status', render: (status: string) => ORDER_STATUS[status] ?? status },
      ]}
    />
  );
}

function PointsTab({ memberId, round }: { memberId: number; round: number }) {
  const [head, setHead] = useState<PointsResponse | null>(null);
  const paged = usePaged<PointsHistoryLine, number>(
    async (before) => {
      const page = await api<PointsResponse>(`staff/console/members/${memberId}/points${query({ before })}`);
      if (before === null) setHead(page);
      return { rows: page.lines, next: page.nextBefore };
    },
    [memberId, round],
  );
  return (
    <Space direction='vertical' style={{ width: '100%' }}>
      {head && (
        <Descriptions size='small' column={2}>
          <Descriptions.Item label='积分余额'>{head.balance}</Descriptions.Item>
          <Descriptions.Item label='即将过期'>
            {head.expiring.length === 0
              ? '—'
              : head.expiring.map((lot) => `${lot.points} 积分于 ${new Date(lot.expiresAt).toLocaleDateString('zh-CN')} 过期`).join('；')}
          </Descriptions.Item>
        </Descriptions>
      )}
      <PagedTable<PointsHistoryLine>
        id='member-points'
        rowKey='id'
        paged={paged as ReturnType<typeof usePaged<PointsHistoryLine, unknown>>}
        emptyText='暂无积分记录'
        columns={[
          { title: '时间', dataIndex: 'at', render: formatTime },
          { title: '明细', dataIndex: 'title' },
          {
            title: '变动',
            dataIndex: 'delta',
            align: 'right',
            render: (delta: number) => <span style={{ color: delta > 0 ? '#389e0d' : '#cf1322' }}>{delta > 0 ? `+${delta}` : delta}</span>,
          },
          { title: '余额', dataIndex: 'balanceAfter', align: 'right' },
          { title: '到期', dataIndex: 'expiresAt', render: (at: string | null) => (at ? new Date(at).toLocaleDateString('zh-CN') : '—') },
        ]}
      />
    </Space>
  );
}

const WALLET_TABS: Array<{ value: WalletTab; label: string }> = [
  { value: 'usable', label: '可用' },
  { value: 'held', label: '已锁定' },
  { value: 'used', label: '已使用' },
  { value: 'expired', label: '已过期' },
];

function CouponsTab({ memberId, round }: { memberId: number; round: number }) {
  const [tab, setTab] = useState<WalletTab>('usable');
  const wallet = useLoad(
    () => api<ConsoleWalletResponse>(`staff/console/members/${memberId}/coupons${query({ tab })}`),
    [memberId, tab, round],
  );
  return (
    <Space direction='vertical' style={{ width: '100%' }}>
      <Radio.Group
        id='member-coupon-tabs'
        optionType='button'
        value={tab}
        onChange={(event) => setTab(event.target.value as WalletTab)}
        options={WALLET_TABS.map((t) => ({ value: t.value, label: `${t.label} ${wallet.data?.counts[t.value] ?? ''}` }))}
      />
      <PageState loaded={wallet} empty={(data) => data.coupons.length === 0} emptyText='暂无优惠券'>
        {(data) => (
          <Table
            id='member-coupons'
            rowKey='id'
            size='small'
            pagination={false}
            dataSource={data.coupons}
            columns={[
              { title: '优惠券', dataIndex: 'name' },
              { title: '领取时间', dataIndex: 'claimedAt', render: formatTime },
              { title: '有效期至', dataIndex: 'validUntil', render: formatTime },
              { title: '使用时间', dataIndex: 'redeemedAt', render: formatTime },
            ]}
          />
        )}
      </PageState>
    </Space>
  );
}

const KIND_LABELS: Record<MessageKind, string> = {
  birthday: '生日祝福',
  coupon_arrived: '优惠券到账',
  coupon_expiring: '优惠券即将过期',
  reactivation: '好久不见',
  points_change: '积分变动',
  service_reply: '服务进度',
};
const OUTBOX_LABELS: Record<string, string> = {
  queued: '待发送',
  sending: '发送中',
  sent: '已发送',
  skipped: '未发送',
  failed: '发送失败',
};
const SKIP_LABELS: Record<string, string> = { no_grant: '未订阅', opted_out: '已关闭', frequency_cap: '频次上限', no_member: '会员已注销' };

function MessagesTab({ memberId }: { memberId: number }) {
  const [kind, setKind] = useState<MessageKind | undefined>();
  const paged = usePaged<MemberMessageRow, number>(
    async (before) => {
      const page = await api<MemberMessagesResponse>(`staff/console/members/${memberId}/messages${query({ kind, before })}`);
      return { rows: page.messages, next: page.nextBefore };
    },
    [memberId, kind],
  );
  return (
    <Space direction='vertical' style={{ width: '100%' }}>
      <Select<MessageKind>
        allowClear
        placeholder='全部类型'
        style={{ width: 200 }}
        value={kind}
        onChange={(value) => setKind(value)}
        options={MESSAGE_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] ?? k }))}
      />
      <PagedTable<MemberMessageRow>
        id='member-messages'
        rowKey='id'
        paged={paged as ReturnType<typeof usePaged<MemberMessageRow, unknown>>}
        emptyText='暂无消息'
        columns={[
          { title: '时间', dataIndex: 'createdAt', render: formatTime },
          { title: '类型', dataIndex: 'kind', render: (k: MessageKind) => KIND_LABELS[k] ?? k },
          {
            title: '状态',
            dataIndex: 'status',
            render: (status: string, row) =>
              `${OUTBOX_LABELS[status] ?? status}${row.skipReason ? `（${SKIP_LABELS[row.skipReason] ?? row.skipReason}）` : ''}`,
          },
          {
            title: '错误码',
            dataIndex: 'errcode',
            render: (code: number | null, row) => (code === null ? '—' : `${code} ${row.error ?? ''}`),
          },
          { title: '发送时间', dataIndex: 'sentAt', render: formatTime },
        ]}
      />
    </Space>
  );
}

const CASE_STATUS: Record<string, string> = { open: '待处理', responded: '已回复', resolved: '已解决', closed: '已关闭' };

function FeedbackTab({ memberId }: { memberId: number }) {
  const cases = useLoad(() => api<FeedbackListResponse>(`staff/console/members/${memberId}/feedback`), [memberId]);
  return (
    <PageState loaded={cases} empty={(data) => data.cases.length === 0} emptyText='暂无投诉或反馈'>
      {(data) => (
        <Table<FeedbackCaseSummary>
          id='member-feedback'
          rowKey='id'
          size='small'
          pagination={false}
          dataSource={data.cases}
          columns={[
            { title: '时间', dataIndex: 'createdAt', render: formatTime },
            { title: '类型', dataIndex: 'kind', render: (k: string) => (k === 'complaint' ? '投诉' : '建议') },
            { title: '分类', dataIndex: 'categoryLabel' },
            { title: '门店', dataIndex: 'storeCode', render: (code: string | null) => code ?? '线上' },
            { title: '内容', dataIndex: 'text', ellipsis: true },
            {
              title: '状态',
              dataIndex: 'status',
              render: (status: string, row) => (
                <Space>
                  {CASE_STATUS[status] ?? status}
                  {row.overdue && <Tag color='red'>超时</Tag>}
                </Space>
              ),
            },
          ]}
        />
      )}
    </PageState>
  );
}

const ACTION_LABELS: Record<string, string> = {
  'member.console_view': '查看会员',
  'member.phone_reveal': '查看完整手机号',
  'points.adjust': '调整积分',
  'member.give_coupon': '赠送优惠券',
  'member.view': '查看会员（店员端）',
  'member_code.verify': '核验会员码',
  'account.delete': '会员注销',
};

function AuditTab({ memberId, round }: { memberId: number; round: number }) {
  const paged = usePaged<AuditLogEntry, number>(
    async (before) => {
      const page = await api<AuditLogPage>(`staff/console/members/${memberId}/audit${query({ before })}`);
      return { rows: page.entries, next: page.nextBefore };
    },
    [memberId, round],
  );
  return (
    <PagedTable<AuditLogEntry>
      id='member-audit'
      rowKey='id'
      paged={paged as ReturnType<typeof usePaged<AuditLogEntry, unknown>>}
      emptyText='暂无操作记录'
      columns={[
        { title: '时间', dataIndex: 'at', render: formatTime },
        { title: '操作', dataIndex: 'action', render: (action: string) => ACTION_LABELS[action] ?? action },
        { title: '操作人', dataIndex: 'staffOpenid', render: (openid: string, row) => (row.role === 'member' ? '会员本人' : openid) },
        { title: '角色', dataIndex: 'role' },
        { title: '门店', dataIndex: 'storeCode', render: (code: string | null) => code ?? '—' },
        { title: '积分', dataIndex: 'points', render: (points: number | null) => points ?? '—' },
        { title: '金额', dataIndex: 'amountFen', render: (fen: number | null) => (fen === null ? '—' : formatFen(fen)) },
        {
          title: '结果',
          dataIndex: 'outcome',
          render: (outcome: string) => (outcome === 'ok' ? '成功' : <Tag color='red'>{outcome}</Tag>),
        },
      ]}
    />
  );
}
