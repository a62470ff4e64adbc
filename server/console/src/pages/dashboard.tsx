import { ExportButtons } from '../components/ExportButtons';
import type {
  CampaignMetricsResponse,
  CohortResponse,
  CouponMetricsResponse,
  DashboardKpi,
  DashboardResponse,
  MessageMetricsResponse,
  MetricsMembersResponse,
  MetricsStoresResponse,
  RfmSegment,
  SegmentMigrationResponse,
} from '@member/shared';
import { RFM_SEGMENT_LABELS } from '@member/shared';
import { Card, Col, Empty, Input, Row, Segmented, Select, Space, Statistic, Table, Tabs, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { api, query } from '../api';
import { Chart, type ChartOption } from '../components/Chart';
import { formatFen, formatPermille } from '../components/Money';
import { PageState } from '../components/PageState';
import { useLoad } from '../hooks';
import { loadSession } from '../session';

/** 'YYYY-MM-DD' of the business calendar (Asia/Shanghai, UTC+8 all year), `offset` days from today. */
function shanghaiDay(offset = 0): string {
  return new Date(Date.now() + 8 * 3_600_000 + offset * 86_400_000).toISOString().slice(0, 10);
}

type Period = '7' | '30' | 'month' | '90' | 'custom';
const PERIODS: Array<{ label: string; value: Period }> = [
  { label: '近7天', value: '7' },
  { label: '近30天', value: '30' },
  { label: '本月', value: 'month' },
  { label: '近90天', value: '90' },
  { label: '自定义', value: 'custom' },
];

function rangeOf(period: Exclude<Period, 'custom'>): { from: string; to: string } {
  const to = shanghaiDay();
  if (period === 'month') return { from: `${to.slice(0, 8)}01`, to };
  return { from: shanghaiDay(1 - Number(period)), to };
}

/** A KPI's value as a tile shows it. */
function formatKpi(unit: DashboardKpi['unit'], value: number): string {
  if (unit === 'fen') return formatFen(value);
  if (unit === 'permille') return formatPermille(value);
  return value.toLocaleString('zh-CN');
}

const MET = '#389e0d';
const UNMET = '#cf1322';

function KpiTile({ kpi }: { kpi: DashboardKpi }) {
  const coloured = kpi.target !== undefined && !kpi.noData;
  return (
    <Card size='small' data-kpi={kpi.key} data-met={coloured ? String(kpi.met) : undefined} style={{ height: '100%' }}>
      <Statistic
        title={kpi.label}
        value={kpi.noData ? '—' : formatKpi(kpi.unit, kpi.value)}
        valueStyle={{ fontSize: 22, ...(coloured ? { color: kpi.met ? MET : UNMET } : {}) }}
      />
      {kpi.target !== undefined && (
        <Space size={4} style={{ marginTop: 4 }} wrap>
          <Typography.Text type='secondary'>目标 ≥ {formatKpi(kpi.unit, kpi.target)}</Typography.Text>
          {kpi.noData ? <Tag>暂无数据</Tag> : <Tag color={kpi.met ? 'success' : 'error'}>{kpi.met ? '达标' : '未达标'}</Tag>}
        </Space>
      )}
    </Card>
  );
}

/** One trend chart: lines (or bars) of the given KPI keys, with the target of a rate as a dashed line. */
function trendOption(data: DashboardResponse, keys: string[], kind: 'line' | 'bar'): ChartOption | null {
  const kpis = keys.map((key) => data.kpis.find((k) => k.key === key)).filter((k): k is DashboardKpi => k !== undefined);
  if (kpis.length === 0) return null;
  const days = [...new Set(kpis.flatMap((k) => data.series[k.key]?.map((p) => p.day) ?? []))].sort();
  const unit = kpis[0].unit;
  const scale = (value: number) => (unit === 'fen' ? value / 100 : unit === 'permille' ? value / 10 : value);
  const axisName = unit === 'fen' ? '元' : unit === 'permille' ? '%' : unit === 'points' ? '积分' : '';
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 56, right: 24, top: 40, bottom: 32 },
    xAxis: { type: 'category', data: days.map((d) => d.slice(5)) },
    yAxis: { type: 'value', name: axisName },
    series: kpis.map((kpi) => {
      const byDay = new Map((data.series[kpi.key] ?? []).map((p) => [p.day, p.value]));
      return {
        name: kpi.label,
        type: kind,
        smooth: kind === 'line',
        data: days.map((d) => (byDay.has(d) ? Number(scale(byDay.get(d)!).toFixed(2)) : null)),
        ...(kpi.target !== undefined
          ? {
              markLine: {
                symbol: 'none',
                lineStyle: { type: 'dashed', color: UNMET },
                label: { formatter: `${kpi.label}目标 ${formatPermille(kpi.target)}` },
                data: [{ yAxis: scale(kpi.target) }],
              },
            }
          : {}),
      };
    }),
  };
}

const CHARTS: Array<{ id: string; title: string; keys: string[]; kind: 'line' | 'bar' }> = [
  { id: 'chart-sales', title: '会员销售额', keys: ['member_sales'], kind: 'bar' },
  { id: 'chart-members', title: '会员与活跃', keys: ['members_new', 'active_members', 'member_purchases'], kind: 'line' },
  { id: 'chart-points', title: '积分发放与消耗', keys: ['points_issued', 'points_spent', 'points_expired'], kind: 'bar' },
  { id: 'chart-rates', title: '核销率与触达率', keys: ['points_redemption_rate', 'message_reach_rate', 'repurchase_rate'], kind: 'line' },
  { id: 'chart-coupons', title: '优惠券', keys: ['coupons_issued', 'coupons_redeemed', 'coupons_expired'], kind: 'bar' },
];

function Trends({ data }: { data: DashboardResponse }) {
  const charts = CHARTS.map((chart) => ({ ...chart, option: trendOption(data, chart.keys, chart.kind) })).filter(
    (chart): chart is (typeof CHARTS)[number] & { option: ChartOption } => chart.option !== null,
  );
  return (
    <Row gutter={[16, 16]}>
      {charts.map((chart) => (
        <Col key={chart.id} span={12}>
          <Card size='small' title={chart.title}>
            <Chart id={chart.id} option={chart.option} height={260} />
          </Card>
        </Col>
      ))}
    </Row>
  );
}

const TIER_LABELS: Record<string, string> = { normal: '普通会员', silver: '银卡会员', gold: '金卡会员', diamond: '钻石会员' };
const LIFECYCLE_LABELS: Record<string, string> = { new: '新客', active: '活跃', regular: '常客', dormant: '沉睡', churned: '流失' };
const segmentLabel = (segment: string) => (segment === 'none' ? '（上月无）' : (RFM_SEGMENT_LABELS[segment as RfmSegment] ?? segment));

function pieOption(title: string, rows: Array<{ key: string; members: number }>, labels: Record<string, string>): ChartOption {
  return {
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'item', formatter: '{b}: {c}（{d}%）' },
    series: [
      {
        type: 'pie',
        radius: ['35%', '65%'],
        top: 24,
        data: rows.map((row) => ({ name: labels[row.key] ?? row.key, value: row.members })),
      },
    ],
  };
}

/** Members moving from last month's RFM segment to this month's, as a heat map. */
function migrationOption(data: SegmentMigrationResponse): ChartOption {
  const from = [...new Set(data.cells.map((c) => c.from))].sort();
  const to = [...new Set(data.cells.map((c) => c.to))].sort();
  const max = Math.max(1, ...data.cells.map((c) => c.members));
  return {
    tooltip: { position: 'top' },
    grid: { left: 110, right: 24, top: 16, bottom: 70 },
    xAxis: { type: 'category', data: to.map(segmentLabel), name: data.month, axisLabel: { rotate: 30 } },
    yAxis: { type: 'category', data: from.map(segmentLabel), name: data.previous },
    visualMap: { min: 0, max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, show: false },
    series: [
      {
        type: 'heatmap',
        label: { show: true },
        data: data.cells.map((c) => [to.indexOf(c.to), from.indexOf(c.from), c.members]),
      },
    ],
  };
}

/** HQ's reports over the same range: coupons by template and campaign, messages, campaign ROI, cohorts. */
function Reports({ from, to }: { from: string; to: string }) {
  const range = query({ from, to });
  const coupons = useLoad(() => api<CouponMetricsResponse>(`staff/metrics/coupons${range}`), [range]);
  const messages = useLoad(() => api<MessageMetricsResponse>(`staff/metrics/messages${range}`), [range]);
  const campaigns = useLoad(() => api<CampaignMetricsResponse>(`staff/metrics/campaigns${range}`), [range]);
  const cohortRange = query({ from: shanghaiDay(-365), to });
  const cohorts = useLoad(() => api<CohortResponse>(`staff/metrics/cohorts${cohortRange}`), [cohortRange]);
  const members = useLoad(() => api<MetricsMembersResponse>(`staff/metrics/members${range}`), [range]);
  const month = to.slice(0, 7);
  const migration = useLoad(() => api<SegmentMigrationResponse>(`staff/metrics/segments${query({ month })}`), [month]);
  const permille = (value: number | null) => (value === null ? '—' : formatPermille(value));
  const couponColumns = [
    { title: '名称', dataIndex: 'name' },
    { title: '发放', dataIndex: 'issued' },
    { title: '核销', dataIndex: 'redeemed' },
    { title: '过期', dataIndex: 'expired' },
    { title: '抵扣金额', dataIndex: 'discountFen', render: formatFen },
    { title: '核销率（至今）', dataIndex: 'redemptionPermille', render: formatPermille },
  ];
  return (
    <Card size='small' style={{ marginTop: 16 }}>
      <Tabs
        items={[
          {
            key: 'members',
            label: '会员构成',
            children: (
              <PageState loaded={members} empty={(d) => d.day === null} emptyText='暂无会员构成数据'>
                {(d) => (
                  <Row gutter={16}>
                    <Col span={12}>
                      <Chart id='chart-tiers' option={pieOption(`按等级（${d.day}）`, d.byTier, TIER_LABELS)} height={280} />
                    </Col>
                    <Col span={12}>
                      <Chart
                        id='chart-lifecycle'
                        option={pieOption(`按生命周期（${d.day}）`, d.byLifecycle, LIFECYCLE_LABELS)}
                        height={280}
                      />
                    </Col>
                  </Row>
                )}
              </PageState>
            ),
          },
          {
            key: 'segments',
            label: '客群迁移',
            children: (
              <PageState
                loaded={migration}
                empty={(d) => d.cells.length === 0}
                emptyText='本月暂无客群快照（RFM 分层刷新后由统计任务记录）'
              >
                {(d) => <Chart id='chart-migration' option={migrationOption(d)} height={360} />}
              </PageState>
            ),
          },
          {
            key: 'coupons',
            label: '优惠券核销',
            children: (
              <PageState loaded={coupons} empty={(d) => d.byTemplate.length === 0} emptyText='该时段没有发券或核销'>
                {(d) => (
                  <Space direction='vertical' style={{ width: '100%' }}>
                    <Typography.Text strong>按券模板</Typography.Text>
                    <Table size='small' rowKey='refId' columns={couponColumns} dataSource={d.byTemplate} pagination={false} />
                    <Typography.Text strong>按营销活动</Typography.Text>
                    <Table size='small' rowKey='refId' columns={couponColumns} dataSource={d.byCampaign} pagination={false} />
                  </Space>
                )}
              </PageState>
            ),
          },
          {
            key: 'messages',
            label: '消息触达',
            children: (
              <PageState loaded={messages} empty={(d) => d.rows.length === 0 && d.targeted === 0} emptyText='该时段没有消息'>
                {(d) => (
                  <Space direction='vertical' style={{ width: '100%' }}>
                    <Typography.Text>
                      触达率 {formatPermille(d.reachPermille)}（可触达 {d.reachable} / 目标人群 {d.targeted}），目标 ≥{' '}
                      {formatPermille(d.targetPermille)}
                    </Typography.Text>
                    <Table
                      size='small'
                      rowKey={(r) => `${r.kind}|${r.outcome}`}
                      pagination={false}
                      dataSource={d.rows}
                      columns={[
                        { title: '消息类型', dataIndex: 'kind' },
                        { title: '结果（错误码）', dataIndex: 'outcome' },
                        { title: '条数', dataIndex: 'messages' },
                      ]}
                    />
                  </Space>
                )}
              </PageState>
            ),
          },
          {
            key: 'campaigns',
            label: '活动 ROI',
            children: (
              <PageState loaded={campaigns} empty={(d) => d.runs.length === 0} emptyText='该时段没有营销活动'>
                {(d) => (
                  <Table
                    size='small'
                    rowKey='runId'
                    pagination={false}
                    dataSource={d.runs}
                    columns={[
                      { title: '活动', dataIndex: 'name' },
                      { title: '统计至', dataIndex: 'day' },
                      { title: '触达组', dataIndex: 'treated' },
                      { title: '对照组', dataIndex: 'holdout' },
                      { title: '人均增量', dataIndex: 'liftPerMemberFen', render: (v: number | null) => (v === null ? '—' : formatFen(v)) },
                      { title: '券成本', dataIndex: 'discountFen', render: formatFen },
                      { title: '积分成本', dataIndex: 'pointsCostFen', render: formatFen },
                      { title: 'ROI', dataIndex: 'roiPermille', render: permille },
                    ]}
                  />
                )}
              </PageState>
            ),
          },
          {
            key: 'cohorts',
            label: '留存（按入会月）',
            children: (
              <PageState loaded={cohorts} empty={(d) => d.cohorts.length === 0} emptyText='暂无留存数据'>
                {(d) => {
                  const span = Math.max(...d.cohorts.map((c) => c.retainedPermille.length));
                  return (
                    <Table
                      size='small'
                      rowKey='cohort'
                      pagination={false}
                      scroll={{ x: true }}
                      dataSource={d.cohorts}
                      columns={[
                        { title: '入会月', dataIndex: 'cohort', fixed: 'left' as const },
                        { title: '人数', dataIndex: 'members' },
                        ...Array.from({ length: span }, (_, k) => ({
                          title: k === 0 ? '当月' : `+${k}月`,
                          key: `m${k}`,
                          render: (_: unknown, row: CohortResponse['cohorts'][number]) => permille(row.retainedPermille[k] ?? null),
                        })),
                      ]}
                    />
                  );
                }}
              </PageState>
            ),
          },
        ]}
      />
    </Card>
  );
}

/** 数据看板: KPI tiles against the playbooks' targets, daily trends, by store and period, from the daily snapshots. */
export default function DashboardPage() {
  const session = loadSession();
  const isHq = session?.role === 'admin';
  const [period, setPeriod] = useState<Period>('30');
  const [custom, setCustom] = useState(() => rangeOf('30'));
  const [store, setStore] = useState<string>(isHq ? '' : (session?.stores[0] ?? ''));
  const { from, to } = period === 'custom' ? custom : rangeOf(period);
  const stores = useLoad(() => api<MetricsStoresResponse>('staff/metrics/stores'), []);
  const path = `staff/metrics/dashboard${query({ from, to, store })}`;
  const dashboard = useLoad(() => api<DashboardResponse>(path), [path]);
  const storeOptions = useMemo(
    () => [
      ...(isHq ? [{ value: '', label: '全部门店' }] : []),
      ...(stores.data?.stores ?? []).map((s) => ({ value: s.code, label: `${s.name}（${s.code}）` })),
    ],
    [isHq, stores.data],
  );
  return (
    <Space direction='vertical' size={16} style={{ width: '100%' }} id='console-dashboard'>
      <Card size='small'>
        <Space wrap size={16}>
          <Typography.Title level={4} style={{ margin: 0 }}>
            数据看板
          </Typography.Title>
          <Segmented id='dashboard-period' options={PERIODS} value={period} onChange={(value) => setPeriod(value as Period)} />
          {period === 'custom' && (
            <Space>
              <Input
                id='dashboard-from'
                type='date'
                value={custom.from}
                max={custom.to}
                onChange={(e) => e.target.value && setCustom({ ...custom, from: e.target.value })}
              />
              <span>至</span>
              <Input
                id='dashboard-to'
                type='date'
                value={custom.to}
                min={custom.from}
                max={shanghaiDay()}
                onChange={(e) => e.target.value && setCustom({ ...custom, to: e.target.value })}
              />
            </Space>
          )}
          <Select
            id='dashboard-store'
            style={{ minWidth: 200 }}
            value={store}
            options={storeOptions}
            loading={stores.loading}
            onChange={setStore}
            aria-label='门店'
          />
          <Typography.Text type='secondary' id='dashboard-asof'>
            {from} 至 {to}
            {dashboard.data?.asOf ? ` · 数据更新于 ${new Date(dashboard.data.asOf).toLocaleString('zh-CN', { hour12: false })}` : ''}
          </Typography.Text>
          <ExportButtons source='dashboard' params={{ from, to, storeCode: store || undefined }} fileName='数据看板' />
        </Space>
      </Card>
      <PageState
        loaded={dashboard}
        empty={(d) => d.asOf === null}
        emptyText='该时段暂无统计数据（统计任务每小时更新一次，历史日期可由总部补算）'
      >
        {(data) => (
          <Space direction='vertical' size={16} style={{ width: '100%' }}>
            <Row gutter={[12, 12]} id='dashboard-kpis'>
              {data.kpis.map((kpi) => (
                <Col key={kpi.key} span={4}>
                  <KpiTile kpi={kpi} />
                </Col>
              ))}
            </Row>
            {Object.values(data.series).some((points) => points.length > 0) ? (
              <Trends data={data} />
            ) : (
              <Empty description='该时段没有趋势数据' />
            )}
          </Space>
        )}
      </PageState>
      {isHq && store === '' && <Reports from={from} to={to} />}
    </Space>
  );
}
