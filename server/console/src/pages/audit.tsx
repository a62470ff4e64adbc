import type { AuditLogEntry, AuditLogFilters, AuditLogPage } from '@member/shared';
import { Button, Card, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api, query } from '../api';
import { ExportButtons } from '../components/ExportButtons';
import { formatFen } from '../components/Money';
import { PageState } from '../components/PageState';
import { useLoad } from '../hooks';
import { loadSession, ROLE_LABELS } from '../session';
import { businessDateTime } from '../staff-rules';

const PAGE_SIZE = 50;

interface Filters {
  staffOpenid?: string;
  action?: string;
  storeCode?: string;
  memberId?: string;
  from?: string;
  to?: string;
}

const ROLE_NAMES: Record<AuditLogEntry['role'], string> = { ...ROLE_LABELS, member: '会员本人' };

/** The actions the server names (its @Audited routes and own records), as staff read them; others show their code. */
const ACTION_NAMES: Record<string, string> = {
  'account.delete': '注销账号',
  'coupon.redeem': '核销优惠券',
  'feedback.create': '登记投诉',
  'feedback.reply': '回复反馈',
  'feedback.resolve': '处理完成',
  'feedback.view': '查看反馈',
  'member.lookup': '查找会员',
  'member.view': '查看会员',
  'member_code.verify': '验证会员码',
  'member_code.locked': '会员码验证锁定',
  'pay_order.refund': '订单退款',
  'pay_order.view': '查看订单',
  'points.adjust': '调整积分',
  'purchase.record': '登记消费',
  'purchase.refund': '消费退款',
  'purchase.view': '查看消费',
  'purchase_rule.create': '新建支付有礼',
  'purchase_rule.status': '支付有礼状态',
  'purchase_rule.update': '修改支付有礼',
  'sales.list': '查看销售',
};
const actionText = (action: string) => (ACTION_NAMES[action] ? `${ACTION_NAMES[action]}（${action}）` : action);

/**
 * 操作日志: who did what, where, to whom and how it ended. HQ sees every entry; a store manager their stores'
 * (the server decides). Filters by staff, action, store, member and business days; pages with a cursor (the
 * log is append-only and newest first, so a page never skips or repeats an entry).
 */
export default function AuditPage() {
  const session = loadSession();
  const [draft, setDraft] = useState<Filters>({});
  const [applied, setApplied] = useState<Filters>({});
  // The cursors of the pages shown so far: [undefined] is the first page.
  const [cursors, setCursors] = useState<Array<number | undefined>>([undefined]);
  const filters = useLoad(() => api<AuditLogFilters>('staff/audit-log/filters'), []);
  const page = cursors[cursors.length - 1];
  const loaded = useLoad(
    () => api<AuditLogPage>(`staff/audit-log${query({ ...applied, memberId: applied.memberId?.trim(), limit: PAGE_SIZE, before: page })}`),
    [JSON.stringify(applied), page],
  );
  const memberBad = draft.memberId !== undefined && draft.memberId.trim() !== '' && !/^[1-9]\d{0,9}$/.test(draft.memberId.trim());
  const rangeBad = Boolean(draft.from && draft.to && draft.from > draft.to);

  const apply = () => {
    if (memberBad || rangeBad) return;
    setApplied({ ...draft });
    setCursors([undefined]);
  };
  const reset = () => {
    setDraft({});
    setApplied({});
    setCursors([undefined]);
  };
  const actorName = (openid: string) => filters.data?.actors.find((a) => a.openid === openid)?.name;

  return (
    <Card
      id='audit-page'
      title='操作日志'
      extra={
        <ExportButtons
          source='audit-log'
          params={{ from: applied.from, to: applied.to, storeCode: applied.storeCode }}
          fileName='操作日志'
        />
      }
    >
      <Space wrap style={{ marginBottom: 16 }} align='start'>
        <Select
          id='audit-filter-actor'
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          placeholder='操作人'
          style={{ width: 160 }}
          value={draft.staffOpenid}
          onChange={(value?: string) => setDraft((d) => ({ ...d, staffOpenid: value }))}
          options={(filters.data?.actors ?? []).map((a) => ({ value: a.openid, label: `${a.name ?? a.openid}（${ROLE_LABELS[a.role]}）` }))}
        />
        <Select
          id='audit-filter-action'
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          placeholder='操作类型'
          style={{ width: 220 }}
          value={draft.action}
          onChange={(value?: string) => setDraft((d) => ({ ...d, action: value }))}
          options={(filters.data?.actions ?? []).map((action) => ({ value: action, label: actionText(action) }))}
        />
        {session?.role === 'admin' ? (
          <Input
            id='audit-filter-store'
            placeholder='门店编码'
            style={{ width: 110 }}
            value={draft.storeCode ?? ''}
            onChange={(e) => setDraft((d) => ({ ...d, storeCode: e.target.value.trim() || undefined }))}
            onPressEnter={apply}
          />
        ) : (session?.stores.length ?? 0) > 1 ? (
          <Select
            id='audit-filter-store'
            allowClear
            placeholder='门店'
            style={{ width: 120 }}
            value={draft.storeCode}
            onChange={(value?: string) => setDraft((d) => ({ ...d, storeCode: value }))}
            options={session?.stores.map((code) => ({ value: code, label: code }))}
          />
        ) : null}
        <Space orientation='vertical' size={0}>
          <Input
            id='audit-filter-member'
            placeholder='会员 ID'
            prefix={<Typography.Text type='secondary'>会员</Typography.Text>}
            style={{ width: 130 }}
            status={memberBad ? 'error' : undefined}
            value={draft.memberId ?? ''}
            onChange={(e) => setDraft((d) => ({ ...d, memberId: e.target.value }))}
            onPressEnter={apply}
          />
          {memberBad ? <Typography.Text type='danger'>请输入数字会员 ID</Typography.Text> : null}
        </Space>
        <Space orientation='vertical' size={0}>
          <Space.Compact>
            <Input
              id='audit-filter-from'
              type='date'
              style={{ width: 150 }}
              value={draft.from ?? ''}
              onChange={(e) => setDraft((d) => ({ ...d, from: e.target.value || undefined }))}
            />
            <Input
              id='audit-filter-to'
              type='date'
              style={{ width: 150 }}
              status={rangeBad ? 'error' : undefined}
              value={draft.to ?? ''}
              onChange={(e) => setDraft((d) => ({ ...d, to: e.target.value || undefined }))}
            />
          </Space.Compact>
          {rangeBad ? <Typography.Text type='danger'>结束日期不能早于开始日期</Typography.Text> : null}
        </Space>
        <Button id='audit-filter-apply' type='primary' onClick={apply} disabled={memberBad || rangeBad}>
          查询
        </Button>
        <Button id='audit-filter-reset' onClick={reset}>
          重置
        </Button>
      </Space>
      <PageState loaded={loaded} empty={(data) => data.entries.length === 0 && cursors.length === 1} emptyText='没有符合条件的操作记录'>
        {(data) => (
          <>
            <Table<AuditLogEntry>
              id='audit-table'
              rowKey='id'
              size='small'
              dataSource={data.entries}
              pagination={false}
              onRow={(entry) => ({ id: `audit-row-${entry.id}` })}
              columns={[
                { title: '时间', width: 170, render: (_, e) => businessDateTime(e.at) },
                {
                  title: '操作人',
                  width: 170,
                  render: (_, e) =>
                    e.role === 'member' ? (
                      '会员本人'
                    ) : (
                      <span>
                        {e.staffName ?? actorName(e.staffOpenid) ?? e.staffOpenid}{' '}
                        <Typography.Text type='secondary'>{ROLE_NAMES[e.role]}</Typography.Text>
                      </span>
                    ),
                },
                { title: '门店', width: 80, render: (_, e) => e.storeCode ?? '—' },
                {
                  title: '操作',
                  width: 170,
                  render: (_, e) =>
                    ACTION_NAMES[e.action] ? (
                      <span title={e.action}>{ACTION_NAMES[e.action]}</span>
                    ) : (
                      <Typography.Text code>{e.action}</Typography.Text>
                    ),
                },
                {
                  title: '结果',
                  width: 110,
                  render: (_, e) => (e.outcome === 'ok' ? <Tag color='green'>成功</Tag> : <Tag color='red'>{e.outcome}</Tag>),
                },
                { title: '对象', width: 110, render: (_, e) => e.target ?? '—' },
                { title: '会员', width: 90, render: (_, e) => (e.memberId === null ? '—' : `#${e.memberId}`) },
                { title: '金额', width: 120, render: (_, e) => (e.amountFen === null ? '—' : formatFen(e.amountFen)) },
                { title: '积分', width: 90, render: (_, e) => (e.points === null ? '—' : e.points.toLocaleString('zh-CN')) },
              ]}
            />
            <Space style={{ marginTop: 16 }}>
              <Button id='audit-prev' disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
                上一页
              </Button>
              <Typography.Text id='audit-page-number'>第 {cursors.length} 页</Typography.Text>
              <Button
                id='audit-next'
                disabled={data.nextBefore === null}
                onClick={() => setCursors((c) => [...c, data.nextBefore ?? undefined])}
              >
                下一页
              </Button>
            </Space>
          </>
        )}
      </PageState>
    </Card>
  );
}
