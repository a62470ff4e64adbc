import {
  TIER_CODES,
  type CouponTemplateView,
  type PurchaseRuleListResponse,
  type PurchaseRuleReport,
  type PurchaseRuleView,
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
import { useMemo, useState, type ReactNode } from 'react';
import { Route, Routes, useNavigate, useParams } from 'react-router-dom';
import { api, ApiError } from '../api';
import { Chart, type ChartOption } from '../components/Chart';
import { formatFen } from '../components/Money';
import { PageState } from '../components/PageState';
import { useLoad } from '../hooks';
import {
  buildRuleRequest,
  businessDateTime,
  CHANNEL_OPTIONS,
  conditionText,
  emptyRuleForm,
  MULTIPLIER_OPTIONS,
  RULE_STATUS_NAMES,
  rewardSummary,
  ruleFormOf,
  TIER_NAMES,
  type RuleForm,
} from '../staff-rules';

const STATUS_COLORS: Record<PurchaseRuleView['status'], string> = { draft: 'default', active: 'green', paused: 'orange', ended: 'blue' };
const DONE: Record<'active' | 'paused' | 'ended', string> = { active: '已启用', paused: '已暂停', ended: '已结束' };
const failure = (error: unknown) => (error instanceof ApiError ? error.message : '操作失败，请重试');

/** 支付有礼 (HQ): the purchase rules, their form (drafts), status changes and each rule's report. */
export default function RulesPage() {
  return (
    <Routes>
      <Route index element={<RuleList />} />
      <Route path=':id' element={<RuleReportPage />} />
    </Routes>
  );
}

/** 启用 / 暂停 / 结束, as the staff page offers them for each status. */
function StatusButtons({ rule, onDone }: { rule: PurchaseRuleView; onDone: () => void }) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const change = async (status: 'active' | 'paused' | 'ended') => {
    setBusy(true);
    try {
      await api(`admin/purchase-rules/${rule.id}/status`, { method: 'POST', json: { status } });
      message.success(DONE[status]);
    } catch (error) {
      message.error(failure(error));
    } finally {
      setBusy(false);
      onDone();
    }
  };
  return (
    <>
      {rule.status === 'draft' || rule.status === 'paused' ? (
        <Button size='small' type='primary' id={`rule-activate-${rule.id}`} loading={busy} onClick={() => void change('active')}>
          启用
        </Button>
      ) : null}
      {rule.status === 'active' ? (
        <Button size='small' id={`rule-pause-${rule.id}`} loading={busy} onClick={() => void change('paused')}>
          暂停
        </Button>
      ) : null}
      {rule.status !== 'ended' ? (
        <Popconfirm
          title='结束这条规则？'
          description='结束后不能再启用。'
          okText='结束'
          cancelText='取消'
          onConfirm={() => change('ended')}
        >
          <Button size='small' danger id={`rule-end-${rule.id}`} disabled={busy}>
            结束
          </Button>
        </Popconfirm>
      ) : null}
    </>
  );
}

function RuleList() {
  const navigate = useNavigate();
  const loaded = useLoad(() => api<PurchaseRuleListResponse>('admin/purchase-rules'), []);
  const [editing, setEditing] = useState<{ rule: PurchaseRuleView | null } | null>(null);
  return (
    <Card
      id='rules-page'
      title='支付有礼'
      extra={
        <Button id='rule-new' type='primary' onClick={() => setEditing({ rule: null })}>
          新建规则
        </Button>
      }
    >
      <PageState loaded={loaded} empty={(data) => data.rules.length === 0} emptyText='还没有支付有礼规则，点击右上角新建'>
        {({ rules }) => (
          <Table<PurchaseRuleView>
            id='rules-table'
            rowKey='id'
            dataSource={rules}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            onRow={(rule) => ({ id: `rule-row-${rule.id}` })}
            columns={[
              {
                title: '规则',
                render: (_, rule) => (
                  <Space orientation='vertical' size={0}>
                    <Typography.Link id={`rule-open-${rule.id}`} onClick={() => navigate(`/rules/${rule.id}`)}>
                      {rule.name}
                    </Typography.Link>
                    <Typography.Text type='secondary'>{conditionText(rule)}</Typography.Text>
                  </Space>
                ),
              },
              {
                title: '状态',
                width: 90,
                render: (_, rule) => (
                  <Tag id={`rule-status-${rule.id}`} color={STATUS_COLORS[rule.status]}>
                    {RULE_STATUS_NAMES[rule.status]}
                  </Tag>
                ),
              },
              { title: '奖励', render: (_, rule) => rewardSummary(rule) },
              { title: '优先级', width: 80, dataIndex: 'priority' },
              {
                title: '已发放',
                width: 160,
                render: (_, rule) => `${rule.grantedCount} 次 · ${rule.pointsGranted} 积分 · ${rule.couponsGranted} 张券`,
              },
              {
                title: '操作',
                width: 240,
                render: (_, rule) => (
                  <Space size={4} wrap>
                    <Button size='small' id={`rule-report-${rule.id}`} onClick={() => navigate(`/rules/${rule.id}`)}>
                      报告
                    </Button>
                    {rule.status === 'draft' ? (
                      <Button size='small' id={`rule-edit-${rule.id}`} onClick={() => setEditing({ rule })}>
                        编辑
                      </Button>
                    ) : null}
                    <StatusButtons rule={rule} onDone={loaded.reload} />
                  </Space>
                ),
              },
            ]}
          />
        )}
      </PageState>
      {editing ? (
        <RuleModal
          rule={editing.rule}
          onClose={(saved) => {
            setEditing(null);
            if (saved) loaded.reload();
          }}
        />
      ) : null}
    </Card>
  );
}

/** The rule form (new, or a draft): the staff page's rules (buildRuleRequest) and its Chinese messages. */
function RuleModal({ rule, onClose }: { rule: PurchaseRuleView | null; onClose: (saved: boolean) => void }) {
  const { message } = App.useApp();
  const [form, setForm] = useState<RuleForm>(() => (rule ? ruleFormOf(rule) : emptyRuleForm()));
  const [error, setError] = useState('');
  const [saving, setSaving] = useState(false);
  const templates = useLoad(() => api<CouponTemplateView[]>('admin/coupon-templates'), []);
  const set = <K extends keyof RuleForm>(field: K, value: RuleForm[K]) => setForm((f) => ({ ...f, [field]: value }));

  const submit = async () => {
    setError('');
    const built = buildRuleRequest(form);
    if (!built.ok) return setError(built.error);
    setSaving(true);
    try {
      if (rule) await api(`admin/purchase-rules/${rule.id}`, { method: 'PUT', json: built.request });
      else await api('admin/purchase-rules', { method: 'POST', json: built.request });
      message.success(rule ? '已保存' : '已创建草稿，启用后生效');
      onClose(true);
    } catch (e) {
      setError(failure(e));
    } finally {
      setSaving(false);
    }
  };

  const text = (field: keyof RuleForm, id: string, placeholder = '', type = 'text') => (
    <Input
      id={id}
      type={type}
      placeholder={placeholder}
      value={String(form[field])}
      onChange={(e) => set(field, e.target.value as never)}
    />
  );
  const item = (label: string, child: ReactNode) => (
    <Form.Item label={label} style={{ marginBottom: 12 }}>
      {child}
    </Form.Item>
  );
  return (
    <Modal
      open
      width={780}
      title={rule ? '编辑规则草稿' : '新建支付有礼规则'}
      okText='保存'
      cancelText='取消'
      confirmLoading={saving}
      onOk={() => void submit()}
      onCancel={() => onClose(false)}
      okButtonProps={{ id: 'rule-save' }}
      destroyOnHidden
    >
      {error ? <Alert id='rule-form-error' type='error' showIcon title={error} style={{ marginBottom: 12 }} /> : null}
      <Form layout='vertical'>
        {item('规则名称', text('name', 'rule-name', '如：满300送100积分'))}
        <Row gutter={16}>
          <Col span={8}>{item('实付门槛（元，可不填）', text('minPaidYuan', 'rule-min-paid', '不填则任意金额'))}</Col>
          <Col span={8}>
            {item(
              '渠道',
              <Select id='rule-channel' value={form.channel} options={[...CHANNEL_OPTIONS]} onChange={(v) => set('channel', v)} />,
            )}
          </Col>
          <Col span={8}>{item('适用门店（逗号分隔，可不填）', text('stores', 'rule-stores', '不填则全部门店'))}</Col>
          <Col span={8}>{item('开始日期', text('startsOn', 'rule-starts', '', 'date'))}</Col>
          <Col span={8}>{item('结束日期', text('endsOn', 'rule-ends', '', 'date'))}</Col>
          <Col span={8}>{item('优先级', text('priority', 'rule-priority'))}</Col>
        </Row>
        {item(
          '会员等级（不选则全部）',
          <Checkbox.Group
            options={TIER_CODES.map((t) => ({ value: t, label: TIER_NAMES[t] }))}
            value={form.tiers}
            onChange={(v) => set('tiers', v)}
          />,
        )}
        <Space wrap style={{ marginBottom: 12 }}>
          <Checkbox id='rule-first' checked={form.firstPurchase} onChange={(e) => set('firstPurchase', e.target.checked)}>
            仅首单
          </Checkbox>
          <Checkbox checked={form.memberDayOnly} onChange={(e) => set('memberDayOnly', e.target.checked)}>
            仅会员日
          </Checkbox>
          <Checkbox checked={form.exclusive} onChange={(e) => set('exclusive', e.target.checked)}>
            与其他规则互斥
          </Checkbox>
          <Checkbox checked={form.takeBackOnRefund} onChange={(e) => set('takeBackOnRefund', e.target.checked)}>
            退款时收回奖励
          </Checkbox>
        </Space>
        <Row gutter={16}>
          <Col span={8}>{item('赠送积分', text('points', 'rule-points', '不送可不填'))}</Col>
          <Col span={8}>
            {item(
              '积分加倍',
              <Select
                id='rule-multiplier'
                value={form.multiplier}
                options={[...MULTIPLIER_OPTIONS]}
                onChange={(v) => set('multiplier', v)}
              />,
            )}
          </Col>
          <Col span={8}>
            {item(
              '赠券',
              <Select
                id='rule-coupon'
                allowClear
                placeholder='不送券'
                value={form.couponTemplateId ?? undefined}
                options={(templates.data ?? []).filter((t) => t.status === 'active').map((t) => ({ value: t.id, label: t.name }))}
                onChange={(v: number | undefined) => set('couponTemplateId', v ?? null)}
              />,
            )}
          </Col>
          {form.couponTemplateId !== null ? <Col span={8}>{item('每次赠券张数', text('couponCount', 'rule-coupon-count'))}</Col> : null}
          <Col span={8}>{item('最多发放次数（可不填）', text('maxGrants', 'rule-max-grants', '不限'))}</Col>
          <Col span={8}>{item('积分预算（可不填）', text('maxPoints', 'rule-max-points', '不限'))}</Col>
          <Col span={8}>{item('券预算（可不填）', text('maxCoupons', 'rule-max-coupons', '不限'))}</Col>
        </Row>
      </Form>
    </Modal>
  );
}

function RuleReportPage() {
  const { id } = useParams();
  const navigate = useNavigate();
  const loaded = useLoad(
    () =>
      Promise.all([
        api<PurchaseRuleView>(`admin/purchase-rules/${Number(id)}`),
        api<PurchaseRuleReport>(`admin/purchase-rules/${Number(id)}/report`),
      ]),
    [id],
  );
  return (
    <Card
      id='rule-report'
      title={loaded.data ? `规则报告：${loaded.data[0].name}` : '规则报告'}
      extra={
        <Button id='rule-back' onClick={() => navigate('/rules')}>
          返回列表
        </Button>
      }
    >
      <PageState loaded={loaded}>{([rule, report]) => <RuleReportBody rule={rule} report={report} onChanged={loaded.reload} />}</PageState>
    </Card>
  );
}

function RuleReportBody({ rule, report, onChanged }: { rule: PurchaseRuleView; report: PurchaseRuleReport; onChanged: () => void }) {
  const options = useMemo(() => {
    const yuan = (fen: number) => fen / 100;
    const money: ChartOption = {
      title: { text: '成本与带动消费（元）', left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis', valueFormatter: (value: number) => formatFen(Math.round(value * 100)) },
      legend: { bottom: 0 },
      grid: { left: 72, right: 16, top: 40, bottom: 48 },
      xAxis: {
        type: 'category',
        data: ['积分成本', '券抵扣', '退款未收回', '总成本', '触发订单实付', '之后消费'],
        axisLabel: { interval: 0 },
      },
      yAxis: { type: 'value' },
      series: [
        {
          name: '金额',
          type: 'bar',
          barMaxWidth: 48,
          data: [
            report.pointsCostFen,
            report.couponDiscountFen,
            report.lossFen,
            report.costFen,
            report.triggeringPaidFen,
            report.laterPaidFen,
          ].map(yuan),
        },
      ],
    };
    const rewards: ChartOption = {
      title: { text: '奖励去向', left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 56, right: 16, top: 40, bottom: 48 },
      xAxis: { type: 'category', data: ['发放次数', '发券', '用券'] },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          name: '有效',
          type: 'bar',
          stack: 'all',
          data: [report.grants - report.takenBack, report.couponsGranted - report.couponsVoided, report.couponsUsed],
        },
        { name: '退款收回 / 作废', type: 'bar', stack: 'all', data: [report.takenBack, report.couponsVoided, 0] },
      ],
    };
    return { money, rewards };
  }, [report]);
  return (
    <Space orientation='vertical' size={16} style={{ width: '100%' }}>
      <Descriptions size='small' bordered column={3}>
        <Descriptions.Item label='状态'>
          <Tag id='rule-report-status' color={STATUS_COLORS[rule.status]}>
            {RULE_STATUS_NAMES[rule.status]}
          </Tag>
          <Space size={4}>
            <StatusButtons rule={rule} onDone={onChanged} />
          </Space>
        </Descriptions.Item>
        <Descriptions.Item label='条件'>{conditionText(rule)}</Descriptions.Item>
        <Descriptions.Item label='奖励'>{rewardSummary(rule)}</Descriptions.Item>
        <Descriptions.Item label='创建时间'>{businessDateTime(rule.createdAt)}</Descriptions.Item>
      </Descriptions>
      <Row gutter={16} id='rule-report-kpis'>
        <Col span={4}>
          <Statistic title='发放次数' value={report.grants} suffix={report.takenBack ? `（收回 ${report.takenBack}）` : undefined} />
        </Col>
        <Col span={4}>
          <Statistic title='获奖会员' value={report.rewardedMembers} />
        </Col>
        <Col span={4}>
          <Statistic title='积分（发放 / 收回）' value={`${report.pointsGranted} / ${report.pointsClawed}`} />
        </Col>
        <Col span={4}>
          <Statistic title='总成本' value={formatFen(report.costFen)} />
        </Col>
        <Col span={4}>
          <Statistic
            title='之后消费'
            value={formatFen(report.laterPaidFen)}
            suffix={<span style={{ fontSize: 14 }}>（{report.laterPurchases} 笔）</span>}
          />
        </Col>
        <Col span={4}>
          <Statistic title='退款未收回（已用券）' value={formatFen(report.lossFen)} />
        </Col>
      </Row>
      <Row gutter={16}>
        <Col span={12}>
          <Chart id='chart-rule-money' option={options.money} height={300} />
        </Col>
        <Col span={12}>
          <Chart id='chart-rule-rewards' option={options.rewards} height={300} />
        </Col>
      </Row>
    </Space>
  );
}
