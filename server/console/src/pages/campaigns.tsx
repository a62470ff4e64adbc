import type {
  AudiencePreviewResponse,
  CampaignListResponse,
  CampaignRunDaily,
  CampaignRunView,
  CampaignSchedule,
  CampaignView,
  CouponTemplateView,
  MessageKind,
} from '@member/shared';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Col,
  Descriptions,
  Form,
  Input,
  Modal,
  Popconfirm,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Route, Routes, useNavigate, useParams } from 'react-router-dom';
import { api, ApiError, query } from '../api';
import { Chart, type ChartOption } from '../components/Chart';
import { formatFen } from '../components/Money';
import { PageState } from '../components/PageState';
import { useLoad } from '../hooks';
import {
  audienceFormOf,
  buildCampaignRequest,
  businessDate,
  businessDateTime,
  CAMPAIGN_STATUS_NAMES,
  campaignFormOf,
  describeAudience,
  emptyAudienceForm,
  emptyCampaignForm,
  failedLines,
  groupText,
  holdoutText,
  lastRunText,
  liftText,
  MESSAGE_KIND_OPTIONS,
  MONTH_OPTIONS,
  offerSummary,
  reachShare,
  readAudienceForm,
  reportIsMoving,
  runPeriodText,
  SCHEDULE_OPTIONS,
  scheduleText,
  SEGMENT_OPTIONS,
  skippedLines,
  STATUS_OPTIONS,
  sumOf,
  TIER_OPTIONS,
  type AudienceForm,
  type AudienceFormErrors,
  type CampaignForm,
  type CampaignFormErrors,
} from '../staff-rules';

const STATUS_COLORS: Record<CampaignView['status'], string> = { draft: 'default', active: 'green', paused: 'orange', ended: 'blue' };

/** 营销活动 (HQ): the list, the draft form with its audience preview, and each campaign's report with charts. */
export default function CampaignsPage() {
  return (
    <Routes>
      <Route index element={<CampaignList />} />
      <Route path=':id' element={<CampaignReport />} />
    </Routes>
  );
}

const failure = (error: unknown) => (error instanceof ApiError ? error.message : '操作失败，请重试');

function CampaignList() {
  const { message } = App.useApp();
  const navigate = useNavigate();
  const loaded = useLoad(() => api<CampaignListResponse>('admin/campaigns'), []);
  const [editing, setEditing] = useState<{ campaign: CampaignView | null } | null>(null);
  const [busy, setBusy] = useState<number | null>(null);

  const act = async (id: number, path: string, method: string, done: string) => {
    setBusy(id);
    try {
      await api(`admin/campaigns/${id}${path}`, { method });
      message.success(done);
    } catch (error) {
      message.error(failure(error));
    } finally {
      setBusy(null);
      loaded.reload();
    }
  };

  return (
    <Card
      id='campaigns-page'
      title='营销活动'
      extra={
        <Button id='campaign-new' type='primary' onClick={() => setEditing({ campaign: null })}>
          新建活动
        </Button>
      }
    >
      <PageState loaded={loaded} empty={(data) => data.campaigns.length === 0} emptyText='还没有营销活动，点击右上角新建'>
        {({ campaigns }) => (
          <Table<CampaignView>
            id='campaigns-table'
            rowKey='id'
            dataSource={campaigns}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            onRow={(campaign) => ({ id: `campaign-row-${campaign.id}` })}
            columns={[
              {
                title: '活动',
                render: (_, campaign) => (
                  <Space orientation='vertical' size={0}>
                    <Typography.Link id={`campaign-open-${campaign.id}`} onClick={() => navigate(`/campaigns/${campaign.id}`)}>
                      {campaign.name}
                    </Typography.Link>
                    <Typography.Text type='secondary'>{describeAudience(campaign.filter).join('；')}</Typography.Text>
                  </Space>
                ),
              },
              {
                title: '状态',
                width: 90,
                render: (_, campaign) => (
                  <Tag id={`campaign-status-${campaign.id}`} color={STATUS_COLORS[campaign.status]}>
                    {CAMPAIGN_STATUS_NAMES[campaign.status]}
                  </Tag>
                ),
              },
              { title: '发送', width: 200, render: (_, campaign) => scheduleText(campaign) },
              { title: '优惠', width: 200, render: (_, campaign) => offerSummary(campaign) },
              { title: '最近执行', render: (_, campaign) => lastRunText(campaign) },
              {
                title: '操作',
                width: 220,
                render: (_, campaign) => (
                  <Space size={4} wrap>
                    <Button size='small' id={`campaign-report-${campaign.id}`} onClick={() => navigate(`/campaigns/${campaign.id}`)}>
                      报告
                    </Button>
                    {campaign.status === 'draft' && campaign.system === null ? (
                      <>
                        <Button size='small' id={`campaign-edit-${campaign.id}`} onClick={() => setEditing({ campaign })}>
                          编辑
                        </Button>
                        <Popconfirm
                          title='发布这个活动？'
                          description='发布后将按计划向目标人群发放，不能再修改。'
                          okText='发布'
                          cancelText='取消'
                          okButtonProps={{ id: `campaign-launch-ok-${campaign.id}` }}
                          onConfirm={() => act(campaign.id, '/launch', 'POST', '已发布')}
                        >
                          <Button size='small' type='primary' id={`campaign-launch-${campaign.id}`} loading={busy === campaign.id}>
                            发布
                          </Button>
                        </Popconfirm>
                        <Popconfirm
                          title='删除这个草稿？'
                          okText='删除'
                          cancelText='取消'
                          okButtonProps={{ danger: true }}
                          onConfirm={() => act(campaign.id, '', 'DELETE', '已删除')}
                        >
                          <Button size='small' danger id={`campaign-delete-${campaign.id}`}>
                            删除
                          </Button>
                        </Popconfirm>
                      </>
                    ) : null}
                    {campaign.system === null && (campaign.status === 'active' || campaign.status === 'paused') ? (
                      <Button
                        size='small'
                        id={`campaign-toggle-${campaign.id}`}
                        loading={busy === campaign.id}
                        onClick={() =>
                          campaign.status === 'active'
                            ? act(campaign.id, '/pause', 'POST', '已暂停')
                            : act(campaign.id, '/resume', 'POST', '已恢复')
                        }
                      >
                        {campaign.status === 'active' ? '暂停' : '恢复'}
                      </Button>
                    ) : null}
                  </Space>
                ),
              },
            ]}
          />
        )}
      </PageState>
      {editing ? (
        <CampaignModal
          campaign={editing.campaign}
          onClose={(saved) => {
            setEditing(null);
            if (saved) loaded.reload();
          }}
        />
      ) : null}
    </Card>
  );
}

/** A draft's form: the staff pages' rules, the audience builder, and the preview (size and reach) as it changes. */
function CampaignModal({ campaign, onClose }: { campaign: CampaignView | null; onClose: (saved: boolean) => void }) {
  const { message } = App.useApp();
  const today = businessDate(new Date());
  const [form, setForm] = useState<CampaignForm>(() => (campaign ? campaignFormOf(campaign, today) : emptyCampaignForm(today)));
  const [audience, setAudience] = useState<AudienceForm>(() => (campaign ? audienceFormOf(campaign.filter) : emptyAudienceForm()));
  const [errors, setErrors] = useState<{ fields: CampaignFormErrors; audience: AudienceFormErrors } | null>(null);
  const [serverError, setServerError] = useState('');
  const [saving, setSaving] = useState(false);
  // One key per draft as asked, for this dialog's life: the same draft resent (its answer lost) is the same key, and
  // the server answers the draft it made; a changed draft is another request with its own key (a key reused for
  // other content is refused).
  const keys = useRef(new Map<string, string>());
  const keyFor = (draft: string) => {
    let key = keys.current.get(draft);
    if (!key) keys.current.set(draft, (key = crypto.randomUUID()));
    return key;
  };
  const templates = useLoad(() => api<CouponTemplateView[]>('admin/coupon-templates'), []);

  const reading = readAudienceForm(audience);
  const filterKey = reading.ok ? JSON.stringify([reading.filter, form.messageKind]) : null;
  const [preview, setPreview] = useState<{ key: string; result: AudiencePreviewResponse } | { key: string; error: string } | null>(null);
  useEffect(() => {
    if (!filterKey) return;
    // Asked again only when the question changed, a moment after the last keystroke.
    const timer = setTimeout(() => {
      const [filter, messageKind] = JSON.parse(filterKey) as [unknown, MessageKind | null];
      api<AudiencePreviewResponse>('admin/audiences/preview', {
        method: 'POST',
        json: { filter, ...(messageKind ? { messageKind } : {}) },
      }).then(
        (result) => setPreview({ key: filterKey, result }),
        (error: unknown) => setPreview({ key: filterKey, error: failure(error) }),
      );
    }, 300);
    return () => clearTimeout(timer);
  }, [filterKey]);

  // Each change applies to the form as it is by then, not as this render saw it: two changes can arrive before
  // React renders between them, and a whole form built from this render's copy would silently undo the other.
  const set = <K extends keyof CampaignForm>(field: K, value: CampaignForm[K]) => setForm((current) => ({ ...current, [field]: value }));
  const setAud = <K extends keyof AudienceForm>(field: K, value: AudienceForm[K]) =>
    setAudience((current) => ({ ...current, [field]: value }));
  // Once the person has tried to save, the red marks follow the form.
  useEffect(() => {
    setErrors((shown) => {
      if (!shown) return shown;
      const built = buildCampaignRequest(form, readAudienceForm(audience), new Date(), '');
      return 'errors' in built ? { fields: built.errors, audience: built.audienceErrors ?? {} } : { fields: {}, audience: {} };
    });
  }, [form, audience]);

  const submit = async () => {
    setServerError('');
    const built = buildCampaignRequest(form, readAudienceForm(audience), new Date(), '');
    if ('errors' in built) {
      setErrors({ fields: built.errors, audience: built.audienceErrors ?? {} });
      return;
    }
    setSaving(true);
    const { idempotencyKey: _ignored, ...update } = built.request;
    void _ignored;
    try {
      if (campaign) await api(`admin/campaigns/${campaign.id}`, { method: 'PUT', json: update });
      else await api('admin/campaigns', { method: 'POST', json: { ...update, idempotencyKey: keyFor(JSON.stringify(update)) } });
      message.success(campaign ? '已保存草稿' : '已创建草稿，确认后可发布');
      onClose(true);
    } catch (error) {
      setServerError(failure(error));
    } finally {
      setSaving(false);
    }
  };

  const fieldErr = (field: keyof CampaignFormErrors) => errors?.fields[field];
  const audErr = (field: keyof AudienceFormErrors) => errors?.audience[field];
  const item = (label: string, error: string | undefined, child: ReactNode) => (
    <Form.Item label={label} validateStatus={error ? 'error' : undefined} help={error} style={{ marginBottom: 14 }}>
      {child}
    </Form.Item>
  );
  const text = (value: string, id: string, onChange: (value: string) => void, placeholder = '', type = 'text') => (
    <Input
      id={id}
      type={type}
      value={value}
      placeholder={placeholder}
      disabled={saving}
      onChange={(event) => onChange(event.target.value)}
    />
  );
  const shown = preview && preview.key === filterKey ? preview : null;

  return (
    <Modal
      open
      title={campaign ? '编辑活动草稿' : '新建活动'}
      width={860}
      okText='保存草稿'
      cancelText='取消'
      confirmLoading={saving}
      onOk={() => void submit()}
      onCancel={() => onClose(false)}
      okButtonProps={{ id: 'campaign-save' }}
      destroyOnHidden
    >
      <Form layout='vertical' id='campaign-form'>
        {serverError || (errors && (Object.keys(errors.fields).length > 0 || Object.keys(errors.audience).length > 0)) ? (
          <Typography.Paragraph id='campaign-form-error' type='danger'>
            {serverError || '请检查标红的项目'}
          </Typography.Paragraph>
        ) : null}
        {item(
          '活动名称',
          fieldErr('name'),
          text(form.name, 'campaign-name', (v) => set('name', v), '如：双十二老客回归'),
        )}
        <Card size='small' title='目标人群' style={{ marginBottom: 14 }}>
          <Row gutter={16}>
            <Col span={12}>
              {item(
                '会员等级',
                undefined,
                <Checkbox.Group options={TIER_OPTIONS} value={audience.tiers} onChange={(v) => setAud('tiers', v)} />,
              )}
            </Col>
            <Col span={12}>
              {item(
                '会员状态',
                undefined,
                <Checkbox.Group
                  options={STATUS_OPTIONS}
                  value={audience.lifecycleStatuses}
                  onChange={(v) => setAud('lifecycleStatuses', v)}
                />,
              )}
            </Col>
            <Col span={12}>
              {item(
                '客户分层',
                undefined,
                <Select
                  mode='multiple'
                  id='campaign-segments'
                  placeholder='不限'
                  options={SEGMENT_OPTIONS}
                  value={audience.rfmSegments}
                  onChange={(v) => setAud('rfmSegments', v)}
                />,
              )}
            </Col>
            <Col span={12}>
              {item(
                '生日月份',
                undefined,
                <Select
                  mode='multiple'
                  placeholder='不限'
                  options={MONTH_OPTIONS}
                  value={audience.birthdayMonths.map(String)}
                  onChange={(v: string[]) => setAud('birthdayMonths', v.map(Number))}
                />,
              )}
            </Col>
            <Col span={6}>
              {item(
                '距上次消费最少（天）',
                audErr('daysMin'),
                text(audience.daysMin, 'campaign-days-min', (v) => setAud('daysMin', v)),
              )}
            </Col>
            <Col span={6}>
              {item(
                '距上次消费最多（天）',
                audErr('daysMax'),
                text(audience.daysMax, 'campaign-days-max', (v) => setAud('daysMax', v)),
              )}
            </Col>
            <Col span={6}>
              {item(
                '近12个月消费最低（元）',
                audErr('spendMin'),
                text(audience.spendMin, 'campaign-spend-min', (v) => setAud('spendMin', v)),
              )}
            </Col>
            <Col span={6}>
              {item(
                '近12个月消费最高（元）',
                audErr('spendMax'),
                text(audience.spendMax, 'campaign-spend-max', (v) => setAud('spendMax', v)),
              )}
            </Col>
          </Row>
          <div id='campaign-preview'>
            {!reading.ok ? (
              <Typography.Text type='danger'>请先修正人群条件</Typography.Text>
            ) : !shown ? (
              <Typography.Text type='secondary'>正在计算人数…</Typography.Text>
            ) : 'error' in shown ? (
              <Typography.Text type='danger'>{shown.error}</Typography.Text>
            ) : (
              <Space size={24}>
                <Statistic title='目标人数' value={shown.result.size} valueStyle={{ fontSize: 20 }} />
                {shown.result.reachable !== null ? (
                  <Statistic
                    title='可收到消息'
                    value={`${shown.result.reachable.toLocaleString('zh-CN')}（${reachShare(shown.result.size, shown.result.reachable)}）`}
                    valueStyle={{ fontSize: 20 }}
                  />
                ) : (
                  <Typography.Text type='secondary'>选择消息后显示可触达人数</Typography.Text>
                )}
              </Space>
            )}
          </div>
        </Card>
        {errors?.fields.offer ? <Alert type='error' showIcon title={errors.fields.offer} style={{ marginBottom: 14 }} /> : null}
        <Row gutter={16}>
          <Col span={12}>
            {item(
              '发放优惠券',
              fieldErr('couponTemplateId'),
              <Select
                id='campaign-coupon'
                allowClear
                placeholder='不发券'
                loading={templates.loading}
                value={form.couponTemplateId ?? undefined}
                options={(templates.data ?? []).filter((t) => t.status === 'active').map((t) => ({ value: t.id, label: t.name }))}
                onChange={(value: number | undefined) => set('couponTemplateId', value ?? null)}
              />,
            )}
          </Col>
          <Col span={12}>
            {item(
              '赠送积分',
              fieldErr('points'),
              text(form.points, 'campaign-points', (v) => set('points', v), '不送可不填'),
            )}
          </Col>
          <Col span={12}>
            {item(
              '消息',
              fieldErr('messageKind'),
              <Select
                id='campaign-message'
                allowClear
                placeholder='不发消息'
                value={form.messageKind ?? undefined}
                options={MESSAGE_KIND_OPTIONS}
                onChange={(value: MessageKind | undefined) => set('messageKind', value ?? null)}
              />,
            )}
          </Col>
          <Col span={12}>
            {item(
              '优惠文案（消息中的优惠）',
              fieldErr('offerText'),
              text(form.offerText, 'campaign-offer-text', (v) => set('offerText', v), '如：满100减30券已到账'),
            )}
          </Col>
          <Col span={12}>
            {item(
              '发送计划',
              fieldErr('schedule'),
              <Select
                id='campaign-schedule'
                value={form.schedule}
                options={SCHEDULE_OPTIONS}
                onChange={(value: CampaignSchedule) => set('schedule', value)}
              />,
            )}
          </Col>
          <Col span={12}>
            {item(
              '对照组比例（%）',
              fieldErr('holdoutPercent'),
              text(form.holdoutPercent, 'campaign-holdout', (v) => set('holdoutPercent', v), '如 10，不设可不填'),
            )}
          </Col>
          {form.schedule === 'at' ? (
            <Col span={12}>
              {item(
                '发送时间',
                fieldErr('startsDate'),
                <Space.Compact>
                  {text(form.startsDate, 'campaign-starts-date', (v) => set('startsDate', v), '', 'date')}
                  {text(form.startsTime, 'campaign-starts-time', (v) => set('startsTime', v), '', 'time')}
                </Space.Compact>,
              )}
            </Col>
          ) : null}
          {form.schedule === 'reactivation' ? (
            <Col span={12}>
              {item(
                '沉睡天数',
                fieldErr('dormantDays'),
                text(form.dormantDays, 'campaign-dormant', (v) => set('dormantDays', v)),
              )}
            </Col>
          ) : null}
          {form.schedule === 'coupon_expiry' ? (
            <Col span={12}>
              {item(
                '到期前几天',
                fieldErr('daysBefore'),
                text(form.daysBefore, 'campaign-days-before', (v) => set('daysBefore', v)),
              )}
            </Col>
          ) : null}
        </Row>
      </Form>
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------------------------
// The report

/** What the report's charts add up: the runs together (a recurring campaign has one run a day). */
function totals(runs: readonly CampaignRunView[]) {
  const sum = (pick: (run: CampaignRunView) => number) => runs.reduce((total, run) => total + pick(run), 0);
  return {
    targeted: sum((r) => r.targeted),
    heldOut: sum((r) => r.heldOut),
    couponsIssued: sum((r) => r.couponsIssued),
    couponsRedeemed: sum((r) => r.couponsRedeemed),
    couponsShort: sum((r) => r.couponsShort),
    pointsGranted: sum((r) => r.pointsGranted),
    sent: sum((r) => r.messages.sent),
    queued: sum((r) => r.messages.queued),
    notSubscribed: sum((r) => r.messages.skipped.no_grant ?? 0),
    otherSkipped: sum((r) => sumOf(r.messages.skipped) - (r.messages.skipped.no_grant ?? 0)),
    failed: sum((r) => sumOf(r.messages.failed)),
    treatedMembers: sum((r) => r.treatment.members),
    treatedRevenue: sum((r) => r.treatment.revenueFen),
    holdoutMembers: sum((r) => r.holdout.members),
    holdoutRevenue: sum((r) => r.holdout.revenueFen),
  };
}

const yuan = (fen: number) => Math.round(fen) / 100;
const TOOLTIP_YUAN = { trigger: 'axis', valueFormatter: (value: number) => formatFen(Math.round(value * 100)) };

function CampaignReport() {
  const { id } = useParams();
  const navigate = useNavigate();
  const loaded = useLoad(() => api<CampaignView>(`admin/campaigns/${Number(id)}`), [id]);
  // A report still moving (a run issuing, messages queued) refreshes itself.
  const moving = loaded.data ? reportIsMoving(loaded.data, Date.now()) : false;
  useEffect(() => {
    if (!moving) return;
    const timer = setInterval(loaded.reload, 3000);
    return () => clearInterval(timer);
  }, [moving, loaded.reload]);

  return (
    <Card
      id='campaign-report'
      title={loaded.data ? `活动报告：${loaded.data.name}` : '活动报告'}
      extra={
        <Button id='campaign-back' onClick={() => navigate('/campaigns')}>
          返回列表
        </Button>
      }
    >
      <PageState loaded={loaded}>{(campaign) => <ReportBody campaign={campaign} />}</PageState>
    </Card>
  );
}

function ReportBody({ campaign }: { campaign: CampaignView }) {
  const runs = useMemo(
    () => [...campaign.runs].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || a.id - b.id),
    [campaign.runs],
  );
  const t = totals(runs);
  const perMember = (revenue: number, members: number) => (members ? Math.round(revenue / members) : 0);
  const treatedPer = perMember(t.treatedRevenue, t.treatedMembers);
  const holdoutPer = perMember(t.holdoutRevenue, t.holdoutMembers);
  const lift = liftText({
    treatment: { members: t.treatedMembers, revenueFen: t.treatedRevenue, revenuePerMemberFen: treatedPer, purchasers: 0 },
    holdout: { members: t.holdoutMembers, revenueFen: t.holdoutRevenue, revenuePerMemberFen: holdoutPer, purchasers: 0 },
  });

  const options = useMemo(() => {
    const audience: ChartOption = {
      title: { text: '目标人群', left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'item' },
      legend: { bottom: 0 },
      series: [
        {
          name: '目标人群',
          type: 'pie',
          radius: ['40%', '65%'],
          // The legend names the slices; the ring shows their counts (names beside it are cut off at this size).
          label: { position: 'inside', formatter: '{c}' },
          data: [
            { name: '活动组', value: t.targeted - t.heldOut },
            { name: '对照组', value: t.heldOut },
          ],
        },
      ],
    };
    const coupons: ChartOption = {
      title: { text: '优惠券与积分', left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 48, right: 16, top: 40, bottom: 48 },
      xAxis: { type: 'category', data: ['发券', '已核销', '库存不足未发'] },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ name: '张数', type: 'bar', data: [t.couponsIssued, t.couponsRedeemed, t.couponsShort], barMaxWidth: 48 }],
    };
    const messages: ChartOption = {
      title: { text: '消息结果', left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'item' },
      legend: { bottom: 0 },
      series: [
        {
          name: '消息',
          type: 'pie',
          radius: ['40%', '65%'],
          // The legend names the slices; the ring shows their counts (names beside it are cut off at this size).
          label: { position: 'inside', formatter: '{c}' },
          data: [
            { name: '已送达', value: t.sent },
            { name: '未订阅', value: t.notSubscribed },
            { name: '其他未发', value: t.otherSkipped },
            { name: '发送失败', value: t.failed },
            { name: '排队中', value: t.queued },
          ].filter((slice) => slice.value > 0),
        },
      ],
    };
    const revenue: ChartOption = {
      title: { text: '人均消费：活动组 vs 对照组（元）', left: 'center', textStyle: { fontSize: 14 } },
      tooltip: TOOLTIP_YUAN,
      legend: { bottom: 0 },
      grid: { left: 64, right: 16, top: 40, bottom: 48 },
      xAxis: { type: 'category', data: ['人均消费'] },
      yAxis: { type: 'value' },
      series: [
        { name: '活动组', type: 'bar', data: [yuan(treatedPer)], barMaxWidth: 64, label: { show: true, position: 'top' } },
        { name: '对照组', type: 'bar', data: [yuan(holdoutPer)], barMaxWidth: 64, label: { show: true, position: 'top' } },
      ],
    };
    // Over time: one point per run (a recurring campaign runs daily; a one-off has a single run).
    const periods = runs.map((run) => (run.period === 'once' ? businessDate(run.startedAt) : run.period));
    const trend: ChartOption = {
      title: { text: '按执行日期', left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 48, right: 64, top: 40, bottom: 48 },
      xAxis: { type: 'category', data: periods },
      yAxis: [
        { type: 'value', name: '人 / 张', minInterval: 1 },
        { type: 'value', name: '元' },
      ],
      series: [
        { name: '目标人数', type: 'bar', data: runs.map((r) => r.targeted) },
        { name: '发券', type: 'bar', data: runs.map((r) => r.couponsIssued) },
        { name: '已核销', type: 'bar', data: runs.map((r) => r.couponsRedeemed) },
        { name: '送达', type: 'bar', data: runs.map((r) => r.messages.sent) },
        { name: '活动组人均(元)', type: 'line', yAxisIndex: 1, data: runs.map((r) => yuan(r.treatment.revenuePerMemberFen)) },
        { name: '对照组人均(元)', type: 'line', yAxisIndex: 1, data: runs.map((r) => yuan(r.holdout.revenuePerMemberFen)) },
      ],
    };
    return { audience, coupons, messages, revenue, trend };
  }, [
    runs,
    t.targeted,
    t.heldOut,
    t.couponsIssued,
    t.couponsRedeemed,
    t.couponsShort,
    t.sent,
    t.notSubscribed,
    t.otherSkipped,
    t.failed,
    t.queued,
    treatedPer,
    holdoutPer,
  ]);

  return (
    <Space orientation='vertical' size={16} style={{ width: '100%' }}>
      <Descriptions id='campaign-summary' size='small' column={3} bordered>
        <Descriptions.Item label='状态'>{CAMPAIGN_STATUS_NAMES[campaign.status]}</Descriptions.Item>
        <Descriptions.Item label='发送'>{scheduleText(campaign)}</Descriptions.Item>
        <Descriptions.Item label='优惠'>{offerSummary(campaign)}</Descriptions.Item>
        <Descriptions.Item label='目标人群'>{describeAudience(campaign.filter).join('；')}</Descriptions.Item>
        <Descriptions.Item label='对照组'>{campaign.holdoutPermille ? holdoutText(campaign.holdoutPermille) : '未设'}</Descriptions.Item>
        <Descriptions.Item label='发布时间'>{campaign.launchedAt ? businessDateTime(campaign.launchedAt) : '尚未发布'}</Descriptions.Item>
      </Descriptions>
      {runs.length === 0 ? (
        <Alert
          id='campaign-no-runs'
          type='info'
          showIcon
          title={campaign.status === 'draft' ? '活动尚未发布，发布并执行后这里显示报告' : '活动尚未执行，执行后这里显示报告'}
        />
      ) : (
        <>
          <Row gutter={16} id='campaign-kpis'>
            <Col span={4}>
              <Statistic title='目标人数' value={t.targeted} />
            </Col>
            <Col span={4}>
              <Statistic title='对照组' value={t.heldOut} />
            </Col>
            <Col span={4}>
              <Statistic title='发券 / 核销' value={`${t.couponsIssued} / ${t.couponsRedeemed}`} />
            </Col>
            <Col span={4}>
              <Statistic title='消息 送达 / 未订阅 / 失败' value={`${t.sent} / ${t.notSubscribed} / ${t.failed}`} />
            </Col>
            <Col span={4}>
              <Statistic title='活动组总消费' value={formatFen(t.treatedRevenue)} />
            </Col>
            <Col span={4}>
              <Statistic title='人均提升' value={lift} valueStyle={{ fontSize: 18 }} />
            </Col>
          </Row>
          <Row gutter={16}>
            <Col span={8}>
              <Chart id='chart-campaign-audience' option={options.audience} height={260} />
            </Col>
            <Col span={8}>
              <Chart id='chart-campaign-coupons' option={options.coupons} height={260} />
            </Col>
            <Col span={8}>
              <Chart id='chart-campaign-messages' option={options.messages} height={260} />
            </Col>
          </Row>
          <Row gutter={16}>
            <Col span={10}>
              <Chart id='chart-campaign-revenue' option={options.revenue} height={300} />
            </Col>
            <Col span={14}>
              <Chart id='chart-campaign-trend' option={options.trend} height={300} />
            </Col>
          </Row>
          <RunDaily campaignId={campaign.id} runs={runs} />
          <Table<CampaignRunView>
            id='campaign-runs'
            size='small'
            rowKey='id'
            dataSource={[...runs].reverse()}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            columns={[
              { title: '批次', render: (_, run) => runPeriodText(run) },
              { title: '状态', render: (_, run) => (run.status === 'done' ? '已完成' : '发放中') },
              { title: '目标 / 对照', render: (_, run) => `${run.targeted} / ${run.heldOut}` },
              { title: '发券 / 核销', render: (_, run) => `${run.couponsIssued} / ${run.couponsRedeemed}` },
              { title: '积分', render: (_, run) => run.pointsGranted },
              {
                title: '消息',
                render: (_, run) =>
                  [
                    `送达 ${run.messages.sent}`,
                    ...skippedLines(run).map((l) => `${l.label} ${l.count}`),
                    ...failedLines(run).map((l) => `${l.label} ${l.count}`),
                  ].join('；'),
              },
              { title: '活动组', render: (_, run) => groupText(run.treatment) },
              { title: '对照组', render: (_, run) => (run.holdout.members ? groupText(run.holdout) : '—') },
              { title: '提升', render: (_, run) => liftText(run) },
            ]}
          />
        </>
      )}
    </Space>
  );
}

/**
 * A run's revenue over time: per business day since it started, what a treated and a held-out member paid on
 * average (bars) and in total so far (lines): the lift as it builds up. The latest run unless another is picked.
 */
function RunDaily({ campaignId, runs }: { campaignId: number; runs: readonly CampaignRunView[] }) {
  const done = runs.filter((run) => run.status === 'done');
  const [picked, setPicked] = useState<number | null>(null);
  const runId = picked ?? done[done.length - 1]?.id ?? null;
  const loaded = useLoad(
    () =>
      runId === null
        ? Promise.resolve(null)
        : api<CampaignRunDaily>(`admin/campaigns/${campaignId}/runs/${runId}/daily${query({ days: 31 })}`),
    [campaignId, runId],
  );
  const option = useMemo((): ChartOption | null => {
    const daily = loaded.data;
    if (!daily) return null;
    const per = (fen: number, members: number) => (members ? Math.round(fen / members) / 100 : 0);
    let treatedSoFar = 0;
    let holdoutSoFar = 0;
    const cumulative = daily.days.map((day) => {
      treatedSoFar += day.treatedRevenueFen;
      holdoutSoFar += day.holdoutRevenueFen;
      return [per(treatedSoFar, daily.treatedMembers), per(holdoutSoFar, daily.holdoutMembers)];
    });
    return {
      title: { text: '按天：人均消费（元）', left: 'center', textStyle: { fontSize: 14 } },
      tooltip: TOOLTIP_YUAN,
      legend: { bottom: 0 },
      grid: { left: 56, right: 24, top: 40, bottom: 56 },
      xAxis: { type: 'category', data: daily.days.map((day) => day.date.slice(5)) },
      yAxis: { type: 'value' },
      series: [
        { name: '活动组当日', type: 'bar', data: daily.days.map((day) => per(day.treatedRevenueFen, daily.treatedMembers)) },
        { name: '对照组当日', type: 'bar', data: daily.days.map((day) => per(day.holdoutRevenueFen, daily.holdoutMembers)) },
        { name: '活动组累计', type: 'line', data: cumulative.map(([treated]) => treated) },
        { name: '对照组累计', type: 'line', data: cumulative.map(([, holdout]) => holdout) },
      ],
    };
  }, [loaded.data]);
  if (runId === null) return null;
  return (
    <Card
      size='small'
      title='消费走势（活动组 vs 对照组）'
      extra={
        done.length > 1 ? (
          <Select
            id='campaign-daily-run'
            style={{ width: 160 }}
            value={runId}
            onChange={(value: number) => setPicked(value)}
            options={[...done]
              .reverse()
              .map((run) => ({ value: run.id, label: runPeriodText(run) === '单次' ? '单次' : `${run.period} 批次` }))}
          />
        ) : null
      }
    >
      <PageState loaded={loaded}>{() => (option ? <Chart id='chart-campaign-daily' option={option} height={300} /> : null)}</PageState>
    </Card>
  );
}
