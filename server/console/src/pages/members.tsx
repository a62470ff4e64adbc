import { ExportButtons } from '../components/ExportButtons';
import {
  detectMemberSearchMode,
  type AccountStatus,
  type LifecycleStatus,
  type MemberSearchMode,
  type MemberSearchResponse,
  type MemberSearchRow,
  type TierCode,
} from '@member/shared';
import { Alert, Button, Card, Empty, Input, Radio, Space, Table, Tag, Typography } from 'antd';
import { lazy, Suspense, useEffect, useState } from 'react';
import { Route, Routes, useNavigate, useSearchParams } from 'react-router-dom';
import { api, ApiError, query } from '../api';
import { loadSession } from '../session';

const MemberDetailPage = lazy(() => import('./member'));

export const TIER_LABELS: Record<TierCode, string> = { normal: '普通会员', silver: '银卡', gold: '金卡', diamond: '钻石卡' };
export const LIFECYCLE_LABELS: Record<LifecycleStatus, string> = {
  new: '新客',
  active: '活跃',
  regular: '常客',
  dormant: '沉睡',
  churned: '流失',
};
export const MODE_LABELS: Record<MemberSearchMode, string> = {
  phone: '手机号',
  last4: '手机尾号',
  memberNo: '会员号',
  nickname: '昵称',
};

export function AccountTag({ status }: { status: AccountStatus }) {
  return status === 'deleted' ? <Tag color='default'>已注销</Tag> : null;
}

export const formatTime = (iso: string | null) => (iso ? new Date(iso).toLocaleString('zh-CN', { hour12: false }) : '—');

/** 会员: the search (members/) and a member's page (members/:id), under the shell's `members/*` route. */
export default function MembersPage() {
  return (
    <Routes>
      <Route index element={<MemberSearchPage />} />
      <Route
        path=':id'
        element={
          <Suspense fallback={null}>
            <MemberDetailPage />
          </Suspense>
        }
      />
    </Routes>
  );
}

/**
 * One box: 11 digits look up the phone, 4 digits the last four, other digits the member number, anything else
 * the nickname (prefix, or contains when asked). The query lives in the address, so 返回 from a member keeps it.
 */
function MemberSearchPage() {
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const match = params.get('match') === 'contains' ? 'contains' : 'prefix';
  const [text, setText] = useState(q);
  const [pages, setPages] = useState<MemberSearchResponse[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const detected = detectMemberSearchMode(text);

  const load = async (cursor: string | null) => {
    setLoading(true);
    setError(null);
    try {
      const page = await api<MemberSearchResponse>(
        `staff/console/members${query({ q, match: detectMemberSearchMode(q) === 'nickname' ? match : undefined, cursor })}`,
      );
      setPages((previous) => (cursor ? [...previous, page] : [page]));
    } catch (failure) {
      setError(failure instanceof ApiError ? failure : new ApiError('INTERNAL_ERROR', '系统繁忙，请稍后再试', 0));
      if (!cursor) setPages([]);
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    setText(q);
    setPages([]);
    if (q) void load(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [q, match, params.get('r')]);

  const submit = (value: string) => {
    const term = value.trim();
    if (!term) return;
    setParams(term === q ? { q: term, match, r: String(Date.now()) } : { q: term, match });
  };
  const rows = pages.flatMap((page) => page.rows);
  const last = pages[pages.length - 1];

  return (
    <Card title='会员查询' id='members-page' extra={<ExportButtons source='members' fileName='会员' />}>
      <Space direction='vertical' size='middle' style={{ width: '100%' }}>
        <Space wrap>
          <Input.Search
            id='member-search'
            allowClear
            enterButton='查询'
            placeholder='手机号 / 手机尾号 4 位 / 会员号 / 昵称'
            style={{ width: 420 }}
            value={text}
            onChange={(event) => setText(event.target.value)}
            onSearch={submit}
            loading={loading}
          />
          <Typography.Text type='secondary' id='member-search-mode'>
            {detected ? `按${MODE_LABELS[detected]}查询` : text.trim() ? '请输入 11 位手机号、4 位尾号、会员号或昵称' : ''}
          </Typography.Text>
          {detected === 'nickname' && (
            <Radio.Group
              value={match}
              onChange={(event) => setParams(q ? { q, match: event.target.value as string } : { match: event.target.value as string })}
              optionType='button'
              size='small'
              options={[
                { label: '开头匹配', value: 'prefix' },
                { label: '包含', value: 'contains' },
              ]}
            />
          )}
        </Space>
        {loadSession()?.role === 'store_manager' && (
          <Typography.Text type='secondary' id='member-search-scope'>
            店长可查到在本人门店（{loadSession()?.stores.join('、')}）消费过的会员。
          </Typography.Text>
        )}
        {error && <Alert type='error' showIcon title={error.message} id='member-search-error' />}
        {!q ? (
          <Empty description='输入手机号、尾号、会员号或昵称查找会员' />
        ) : (
          <Table<MemberSearchRow>
            id='member-results'
            rowKey='id'
            size='middle'
            loading={loading && rows.length === 0}
            dataSource={rows}
            pagination={false}
            locale={{
              emptyText: loading ? (
                '查询中…'
              ) : last?.nextCursor ? (
                <Empty description='最近注册的会员中没有找到，可继续搜索更早注册的会员' />
              ) : (
                <Empty description='没有找到符合条件的会员' />
              ),
            }}
            onRow={(row) => ({ onClick: () => navigate(`/members/${row.id}`), style: { cursor: 'pointer' } })}
            columns={[
              { title: '会员号', dataIndex: 'id', width: 100 },
              {
                title: '昵称',
                dataIndex: 'nickname',
                render: (value: string | null, row) => (
                  <Space>
                    {value ?? '—'}
                    <AccountTag status={row.accountStatus} />
                  </Space>
                ),
              },
              { title: '手机号', dataIndex: 'phoneMasked', render: (value: string | null) => value ?? '未绑定' },
              { title: '等级', dataIndex: 'tier', render: (value: TierCode) => TIER_LABELS[value] ?? value },
              { title: '状态', dataIndex: 'lifecycleStatus', render: (value: LifecycleStatus) => LIFECYCLE_LABELS[value] ?? value },
              { title: '积分', dataIndex: 'pointsBalance', align: 'right' },
              { title: '入会时间', dataIndex: 'joinedAt', render: formatTime },
              { title: '最近消费', dataIndex: 'lastPurchaseAt', render: formatTime },
              {
                title: '',
                key: 'open',
                width: 80,
                render: (_, row) => (
                  <Button type='link' onClick={() => navigate(`/members/${row.id}`)}>
                    查看
                  </Button>
                ),
              },
            ]}
          />
        )}
        {last?.nextCursor && (
          <Button id='member-search-more' onClick={() => void load(last.nextCursor)} loading={loading}>
            {rows.length > 0 ? '加载更多' : '继续搜索'}
          </Button>
        )}
      </Space>
    </Card>
  );
}
