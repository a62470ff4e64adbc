import type {
  FeedbackCaseSummary,
  FeedbackCaseView,
  FeedbackListResponse,
  FeedbackReport,
  GoodwillOptions,
  ResolveFeedbackRequest,
} from '@member/shared';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Form,
  Image,
  Input,
  Radio,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  Tabs,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { Route, Routes, useNavigate, useParams } from 'react-router-dom';
import { api, ApiError, query } from '../api';
import { Chart, type ChartOption } from '../components/Chart';
import { formatFen } from '../components/Money';
import { PageState } from '../components/PageState';
import { useLoad } from '../hooks';
import { businessDate, businessDateTime, dueText, feedbackStatus, feedbackTitle, goodwillText } from '../staff-rules';

const TONE_COLORS = { waiting: 'orange', answered: 'blue', done: 'green', overdue: 'red' } as const;
const DAY_MS = 86_400_000;
const failure = (error: unknown) => (error instanceof ApiError ? error.message : '操作失败，请重试');

/** 服务 (HQ and store managers, their stores): the complaint queue, a case, and the service report. */
export default function ServicePage() {
  return (
    <Routes>
      <Route index element={<ServiceHome />} />
      <Route path=':id' element={<CaseDetail />} />
    </Routes>
  );
}

function ServiceHome() {
  const [tab, setTab] = useState('open');
  return (
    <Card id='service-page' title='投诉与反馈'>
      <Tabs
        activeKey={tab}
        onChange={setTab}
        destroyOnHidden
        items={[
          { key: 'open', label: <span id='service-tab-open'>待处理</span>, children: <Queue include='open' /> },
          { key: 'all', label: <span id='service-tab-all'>全部</span>, children: <Queue include='all' /> },
          { key: 'report', label: <span id='service-tab-report'>服务报告</span>, children: <ServiceReport /> },
        ]}
      />
    </Card>
  );
}

/** The queue in the server's order: overdue first, then by due time (全部: newest first). */
function Queue({ include }: { include: 'open' | 'all' }) {
  const navigate = useNavigate();
  const loaded = useLoad(
    () => api<FeedbackListResponse>(`staff/feedback${query({ include: include === 'all' ? 'all' : undefined })}`),
    [include],
  );
  return (
    <PageState loaded={loaded} empty={(data) => data.cases.length === 0} emptyText={include === 'open' ? '没有待处理的反馈' : '还没有反馈'}>
      {({ cases }) => (
        <Table<FeedbackCaseSummary>
          id={`service-queue-${include}`}
          rowKey='id'
          dataSource={cases}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          onRow={(c) => ({ id: `service-case-${c.id}`, style: { cursor: 'pointer' }, onClick: () => navigate(`/service/${c.id}`) })}
          columns={[
            { title: '编号', width: 80, dataIndex: 'id' },
            {
              title: '状态',
              width: 90,
              render: (_, c) => {
                const status = feedbackStatus(c, true);
                return (
                  <Tag id={`service-status-${c.id}`} color={TONE_COLORS[status.tone]}>
                    {status.text}
                  </Tag>
                );
              },
            },
            { title: '类型', width: 160, render: (_, c) => feedbackTitle(c) },
            { title: '内容', render: (_, c) => <Typography.Text ellipsis={{ tooltip: c.text }}>{c.text}</Typography.Text> },
            { title: '门店', width: 90, render: (_, c) => c.storeCode ?? '线上' },
            { title: '提交时间', width: 160, render: (_, c) => businessDateTime(c.createdAt) },
            { title: '时限', width: 250, render: (_, c) => dueText(c) },
          ]}
        />
      )}
    </PageState>
  );
}

type GoodwillChoice = 'none' | 'points' | 'coupon';

function CaseDetail() {
  const { id } = useParams();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const loaded = useLoad(() => api<FeedbackCaseView>(`staff/feedback/${Number(id)}`), [id]);
  const options = useLoad(() => api<GoodwillOptions>('staff/feedback/goodwill-options'), []);
  const [reply, setReply] = useState('');
  const [resolution, setResolution] = useState('');
  const [goodwill, setGoodwill] = useState<GoodwillChoice>('none');
  const [points, setPoints] = useState('');
  const [templateId, setTemplateId] = useState<number | null>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState<'reply' | 'resolve' | null>(null);
  // One key per action, kept until it succeeds, so a retry after a lost answer is not a second reply.
  const [keys, setKeys] = useState(() => ({ reply: crypto.randomUUID(), resolve: crypto.randomUUID() }));

  const send = async () => {
    setError('');
    if (!reply.trim()) return setError('请输入回复内容');
    setBusy('reply');
    try {
      await api(`staff/feedback/${Number(id)}/replies`, { method: 'POST', json: { body: reply.trim(), idempotencyKey: keys.reply } });
      setReply('');
      setKeys((k) => ({ ...k, reply: crypto.randomUUID() }));
      message.success('已回复');
      loaded.reload();
    } catch (e) {
      setError(failure(e));
    } finally {
      setBusy(null);
    }
  };

  const resolve = async () => {
    setError('');
    if (resolution.trim().length < 2) return setError('请填写处理结果（至少 2 个字）');
    let gift: ResolveFeedbackRequest['goodwill'];
    if (goodwill !== 'none') {
      if (reason.trim().length < 2) return setError('请填写补偿原因');
      if (goodwill === 'points') {
        const n = Number(points);
        const max = options.data?.maxPoints ?? Infinity;
        if (!/^\d+$/.test(points.trim()) || n < 1) return setError('请输入补偿积分（正整数）');
        if (n > max) return setError(`补偿积分不能超过 ${max}`);
        gift = { kind: 'points', points: n, reason: reason.trim() };
      } else {
        if (templateId === null) return setError('请选择补偿的优惠券');
        gift = { kind: 'coupon', templateId, reason: reason.trim() };
      }
    }
    setBusy('resolve');
    try {
      const request: ResolveFeedbackRequest = {
        resolution: resolution.trim(),
        idempotencyKey: keys.resolve,
        ...(gift ? { goodwill: gift } : {}),
      };
      await api(`staff/feedback/${Number(id)}/resolve`, { method: 'POST', json: request });
      setKeys((k) => ({ ...k, resolve: crypto.randomUUID() }));
      message.success('已处理完成');
      loaded.reload();
    } catch (e) {
      setError(failure(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Card
      id='service-case'
      title={`反馈 #${id ?? ''}`}
      extra={
        <Button id='service-back' onClick={() => navigate('/service')}>
          返回队列
        </Button>
      }
    >
      <PageState loaded={loaded}>
        {(c) => {
          const status = feedbackStatus(c, true);
          const closed = c.status === 'resolved' || c.status === 'closed';
          return (
            <Row gutter={24}>
              <Col span={14}>
                <Descriptions size='small' column={2} bordered>
                  <Descriptions.Item label='状态'>
                    <Tag id='service-case-status' color={TONE_COLORS[status.tone]}>
                      {status.text}
                    </Tag>
                  </Descriptions.Item>
                  <Descriptions.Item label='类型'>{feedbackTitle(c)}</Descriptions.Item>
                  <Descriptions.Item label='会员'>#{c.memberId}</Descriptions.Item>
                  <Descriptions.Item label='门店'>{c.storeCode ?? '线上'}</Descriptions.Item>
                  <Descriptions.Item label='订单'>{c.orderRef ?? '—'}</Descriptions.Item>
                  <Descriptions.Item label='时限'>{dueText(c)}</Descriptions.Item>
                  {c.resolution ? (
                    <Descriptions.Item label='处理结果' span={2}>
                      <span id='service-case-resolution'>{c.resolution}</span>
                    </Descriptions.Item>
                  ) : null}
                  {c.goodwill ? (
                    <Descriptions.Item label='补偿' span={2}>
                      {goodwillText(c.goodwill)}（{c.goodwill.reason}）
                    </Descriptions.Item>
                  ) : null}
                  {c.rating !== null ? (
                    <Descriptions.Item label='评价' span={2}>
                      {c.rating} 星{c.ratingComment ? `：${c.ratingComment}` : ''}
                    </Descriptions.Item>
                  ) : null}
                </Descriptions>
                <Typography.Paragraph style={{ marginTop: 16, whiteSpace: 'pre-wrap' }} id='service-case-text'>
                  {c.text}
                </Typography.Paragraph>
                {c.photoUrls.length > 0 ? (
                  <Image.PreviewGroup>
                    <Space>
                      {c.photoUrls.map((url) => (
                        <Image key={url} src={url} width={96} height={96} style={{ objectFit: 'cover' }} />
                      ))}
                    </Space>
                  </Image.PreviewGroup>
                ) : null}
                <Typography.Title level={5} style={{ marginTop: 16 }}>
                  沟通记录
                </Typography.Title>
                {c.messages.length === 0 ? (
                  <Empty description='还没有回复' />
                ) : (
                  <div id='service-case-messages'>
                    <Timeline
                      items={c.messages.map((m) => ({
                        color: m.author === 'staff' ? 'blue' : 'gray',
                        content: (
                          <>
                            <Typography.Text strong>{m.author === 'staff' ? '客服' : '会员'}</Typography.Text>{' '}
                            <Typography.Text type='secondary'>{businessDateTime(m.at)}</Typography.Text>
                            <div style={{ whiteSpace: 'pre-wrap' }}>{m.body}</div>
                          </>
                        ),
                      }))}
                    />
                  </div>
                )}
              </Col>
              <Col span={10}>
                {error ? <Alert id='service-case-error' type='error' showIcon title={error} style={{ marginBottom: 12 }} /> : null}
                {closed ? (
                  <Alert type='success' showIcon title='此反馈已处理完成' />
                ) : (
                  <Form layout='vertical'>
                    <Form.Item label='回复会员'>
                      <Input.TextArea
                        id='service-reply'
                        rows={3}
                        maxLength={2000}
                        value={reply}
                        onChange={(e) => setReply(e.target.value)}
                      />
                    </Form.Item>
                    <Button id='service-reply-send' onClick={() => void send()} loading={busy === 'reply'} disabled={busy !== null}>
                      发送回复
                    </Button>
                    <Typography.Title level={5} style={{ marginTop: 24 }}>
                      处理完成
                    </Typography.Title>
                    <Form.Item label='处理结果'>
                      <Input.TextArea
                        id='service-resolution'
                        rows={3}
                        maxLength={500}
                        value={resolution}
                        onChange={(e) => setResolution(e.target.value)}
                      />
                    </Form.Item>
                    <Form.Item label='补偿'>
                      <Radio.Group
                        id='service-goodwill'
                        value={goodwill}
                        onChange={(e) => setGoodwill(e.target.value as GoodwillChoice)}
                        options={[
                          { value: 'none', label: '不补偿' },
                          { value: 'points', label: '积分' },
                          { value: 'coupon', label: '优惠券', disabled: !options.data?.coupons.length },
                        ]}
                      />
                    </Form.Item>
                    {goodwill === 'points' ? (
                      <Form.Item label={`补偿积分（最多 ${options.data?.maxPoints ?? '—'}）`}>
                        <Input id='service-goodwill-points' value={points} onChange={(e) => setPoints(e.target.value)} />
                      </Form.Item>
                    ) : null}
                    {goodwill === 'coupon' ? (
                      <Form.Item label={`补偿优惠券（面值最多 ${formatFen(options.data?.maxCouponFaceFen ?? 0)}）`}>
                        <Select
                          id='service-goodwill-coupon'
                          value={templateId ?? undefined}
                          onChange={(value: number) => setTemplateId(value)}
                          options={(options.data?.coupons ?? []).map((coupon) => ({
                            value: coupon.templateId,
                            label: `${coupon.name}（面值 ${formatFen(coupon.faceFen)}，剩 ${coupon.remaining} 张）`,
                          }))}
                        />
                      </Form.Item>
                    ) : null}
                    {goodwill !== 'none' ? (
                      <Form.Item label='补偿原因'>
                        <Input id='service-goodwill-reason' maxLength={200} value={reason} onChange={(e) => setReason(e.target.value)} />
                      </Form.Item>
                    ) : null}
                    <Button
                      id='service-resolve'
                      type='primary'
                      onClick={() => void resolve()}
                      loading={busy === 'resolve'}
                      disabled={busy !== null}
                    >
                      处理完成
                    </Button>
                  </Form>
                )}
              </Col>
            </Row>
          );
        }}
      </PageState>
    </Card>
  );
}

const minutesText = (minutes: number | null) =>
  minutes === null ? '—' : minutes < 60 ? `${Math.round(minutes)} 分钟` : `${(minutes / 60).toFixed(1)} 小时`;

/** The service report for a period: how many, of what, where, how fast, and what goodwill cost. */
function ServiceReport() {
  const today = businessDate(new Date());
  const [range, setRange] = useState({ from: businessDate(new Date(Date.now() - 29 * DAY_MS)), to: today });
  const loaded = useLoad(() => api<FeedbackReport>(`staff/feedback/report${query(range)}`), [range.from, range.to]);
  return (
    <Space orientation='vertical' size={16} style={{ width: '100%' }}>
      <Space>
        <span>日期</span>
        <Input
          id='service-report-from'
          type='date'
          value={range.from}
          onChange={(e) => e.target.value && setRange((r) => ({ ...r, from: e.target.value }))}
        />
        <span>至</span>
        <Input
          id='service-report-to'
          type='date'
          value={range.to}
          onChange={(e) => e.target.value && setRange((r) => ({ ...r, to: e.target.value }))}
        />
      </Space>
      <PageState loaded={loaded} empty={(report) => report.cases === 0} emptyText='该时段没有反馈'>
        {(report) => <ReportBody report={report} />}
      </PageState>
    </Space>
  );
}

function ReportBody({ report }: { report: FeedbackReport }) {
  const options = useMemo(() => {
    const bars = (title: string, rows: FeedbackReport['byCategory']): ChartOption => ({
      title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 48, right: 16, top: 40, bottom: 48 },
      xAxis: { type: 'category', data: rows.map((row) => row.label) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ name: '反馈数', type: 'bar', data: rows.map((row) => row.cases), barMaxWidth: 40 }],
    });
    const within = report.withinDeadlineShare ?? 0;
    const progress: ChartOption = {
      title: { text: '处理进度', left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'item' },
      legend: { bottom: 0 },
      series: [
        {
          name: '处理进度',
          type: 'pie',
          radius: ['40%', '65%'],
          // The legend names the slices; the ring shows their counts (names beside it are cut off at this size).
          label: { position: 'inside', formatter: '{c}' },
          data: [
            { name: '已解决', value: report.resolved },
            { name: '已回复未解决', value: Math.max(0, report.responded - report.resolved) },
            { name: '未回复', value: Math.max(0, report.cases - Math.max(report.responded, report.resolved)) },
          ],
        },
      ],
    };
    return { category: bars('按类别', report.byCategory), store: bars('按门店', report.byStore), progress, within };
  }, [report]);
  return (
    <>
      <Row gutter={16} id='service-report-kpis'>
        <Col span={4}>
          <Statistic title='反馈总数' value={report.cases} />
        </Col>
        <Col span={4}>
          <Statistic title='按时回复率' value={report.withinDeadlineShare === null ? '—' : `${(options.within * 100).toFixed(1)}%`} />
        </Col>
        <Col span={4}>
          <Statistic title='首次回复（中位）' value={minutesText(report.medianFirstResponseMinutes)} />
        </Col>
        <Col span={4}>
          <Statistic title='解决用时（中位）' value={minutesText(report.medianResolutionMinutes)} />
        </Col>
        <Col span={4}>
          <Statistic title='补偿成本' value={formatFen(report.goodwillCostFen)} />
        </Col>
        <Col span={4}>
          <Statistic title='平均评价' value={report.averageRating === null ? '—' : `${report.averageRating.toFixed(1)} 星`} />
        </Col>
      </Row>
      <Row gutter={16}>
        <Col span={8}>
          <Chart id='chart-service-category' option={options.category} height={280} />
        </Col>
        <Col span={8}>
          <Chart id='chart-service-store' option={options.store} height={280} />
        </Col>
        <Col span={8}>
          <Chart id='chart-service-progress' option={options.progress} height={280} />
        </Col>
      </Row>
      <Typography.Text type='secondary'>
        补偿 {report.goodwillPoints} 积分、{report.goodwillCoupons} 张优惠券；积分按每分 ¥0.01 计，优惠券按实际抵扣（未使用按面值）计。
      </Typography.Text>
    </>
  );
}
