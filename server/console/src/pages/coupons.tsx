import { TIER_CODES, type CouponAudience, type CouponKind, type CouponTemplateView } from '@member/shared';
import { App, Button, Card, Checkbox, Form, Input, Modal, Popconfirm, Radio, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useEffect, useState, type ReactNode } from 'react';
import { api, ApiError } from '../api';
import { PageState } from '../components/PageState';
import { useLoad } from '../hooks';
import {
  buildTemplateRequest,
  businessDate,
  COUPON_KIND_NAMES,
  copyName,
  couponLabel,
  emptyTemplateForm,
  templateFormOf,
  TIER_NAMES,
  type TemplateForm,
  type TemplateFormErrors,
} from '../staff-rules';

const DAY_MS = 86_400_000;

/** Why a live template's terms are frozen: the staff pages' wording. */
const LIVE_REASONS: Record<NonNullable<CouponTemplateView['liveBecause']>, string> = {
  coupons_given: '已有会员领到，条款不可再改',
  claimable: '已开始领取，条款不可再改',
  campaign: '已被发布的活动使用，条款不可再改',
  birthday_perk: '是生日礼券，条款不可再改',
};

/** Where the template stands for members now (the staff list's chip). */
function stateOf(template: CouponTemplateView, now: number): { text: string; color: string } {
  if (template.status === 'paused') return { text: '已暂停', color: 'default' };
  if (now < Date.parse(template.claimStartsAt)) return { text: '未开始', color: 'blue' };
  if (now > Date.parse(template.claimEndsAt)) return { text: '已结束', color: 'default' };
  return { text: '领取中', color: 'green' };
}

function audienceText(template: CouponTemplateView): string {
  if (template.audience === 'new_members') return '仅新会员';
  if (template.audience === 'tiers') return (template.audienceTiers ?? []).map((tier) => TIER_NAMES[tier]).join('、');
  return '全部会员';
}

function validityText(template: CouponTemplateView): string {
  const validity = template.validity;
  return validity.type === 'relative'
    ? `领取后 ${validity.validDays} 天内有效`
    : `${businessDate(validity.validFrom)} 至 ${businessDate(validity.validUntil)}`;
}

type Editing = { mode: 'new' } | { mode: 'edit'; template: CouponTemplateView } | { mode: 'copy'; template: CouponTemplateView };

/** 优惠券 (HQ): the templates with their stock and use, and the form to create, edit (not live yet) or copy one. */
export default function CouponsPage() {
  const { message } = App.useApp();
  const loaded = useLoad(() => api<CouponTemplateView[]>('admin/coupon-templates'), []);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [busy, setBusy] = useState<number | null>(null);

  const act = async (id: number, run: () => Promise<unknown>, done: string) => {
    setBusy(id);
    try {
      await run();
      message.success(done);
    } catch (error) {
      message.error(error instanceof ApiError ? error.message : '操作失败，请重试');
    } finally {
      setBusy(null);
      loaded.reload();
    }
  };

  const now = Date.now();
  return (
    <Card
      id='coupons-page'
      title='优惠券'
      extra={
        <Button id='coupon-new' type='primary' onClick={() => setEditing({ mode: 'new' })}>
          新建优惠券
        </Button>
      }
    >
      <PageState loaded={loaded} empty={(rows) => rows.length === 0} emptyText='还没有优惠券，点击右上角新建'>
        {(templates) => (
          <Table<CouponTemplateView>
            id='coupons-table'
            rowKey='id'
            dataSource={templates}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            onRow={(template) => ({ id: `coupon-row-${template.id}` })}
            columns={[
              {
                title: '券名称',
                dataIndex: 'name',
                width: 220,
                render: (_, template) => (
                  <Space orientation='vertical' size={0}>
                    <Typography.Text strong>{template.name}</Typography.Text>
                    <Typography.Text type='secondary'>{couponLabel(template.terms)}</Typography.Text>
                  </Space>
                ),
              },
              { title: '类型', width: 80, render: (_, template) => COUPON_KIND_NAMES[template.terms.kind] },
              {
                title: '状态',
                width: 80,
                render: (_, template) => {
                  const state = stateOf(template, now);
                  return (
                    <Tag id={`coupon-state-${template.id}`} color={state.color}>
                      {state.text}
                    </Tag>
                  );
                },
              },
              {
                title: '已领 / 库存',
                width: 120,
                render: (_, template) => (
                  <span id={`coupon-claimed-${template.id}`}>
                    {template.claimedCount.toLocaleString('zh-CN')} / {template.totalStock.toLocaleString('zh-CN')}
                  </span>
                ),
              },
              {
                title: '已核销',
                width: 90,
                render: (_, template) => (
                  <span id={`coupon-redeemed-${template.id}`}>
                    {template.redeemedCount.toLocaleString('zh-CN')}
                    {template.heldCount > 0 ? <Typography.Text type='secondary'>（锁定 {template.heldCount}）</Typography.Text> : null}
                  </span>
                ),
              },
              { title: '对象', width: 100, render: (_, template) => audienceText(template) },
              {
                title: '领取时间 / 有效期',
                width: 220,
                render: (_, template) => (
                  <Space orientation='vertical' size={0}>
                    <span>
                      {businessDate(template.claimStartsAt)} 至 {businessDate(template.claimEndsAt)}
                    </span>
                    <Typography.Text type='secondary'>{validityText(template)}</Typography.Text>
                  </Space>
                ),
              },
              {
                title: '操作',
                width: 200,
                render: (_, template) => (
                  <Space size={4} wrap>
                    {template.liveBecause ? (
                      <Tooltip title={LIVE_REASONS[template.liveBecause]}>
                        <Tag id={`coupon-live-${template.id}`}>已生效</Tag>
                      </Tooltip>
                    ) : (
                      <>
                        <Button
                          size='small'
                          id={`coupon-edit-${template.id}`}
                          disabled={busy !== null}
                          onClick={() => setEditing({ mode: 'edit', template })}
                        >
                          编辑
                        </Button>
                        <Popconfirm
                          title='删除这张券？'
                          description={`「${template.name}」删除后不可恢复。`}
                          okText='删除'
                          okButtonProps={{ danger: true, id: `coupon-delete-ok-${template.id}` }}
                          cancelText='取消'
                          onConfirm={() =>
                            act(template.id, () => api(`admin/coupon-templates/${template.id}`, { method: 'DELETE' }), '已删除')
                          }
                        >
                          <Button size='small' danger id={`coupon-delete-${template.id}`} disabled={busy !== null}>
                            删除
                          </Button>
                        </Popconfirm>
                      </>
                    )}
                    <Button
                      size='small'
                      id={`coupon-copy-${template.id}`}
                      disabled={busy !== null}
                      onClick={() => setEditing({ mode: 'copy', template })}
                    >
                      复制
                    </Button>
                    <Button
                      size='small'
                      id={`coupon-toggle-${template.id}`}
                      loading={busy === template.id}
                      disabled={busy !== null && busy !== template.id}
                      onClick={() =>
                        act(
                          template.id,
                          () =>
                            api(`admin/coupon-templates/${template.id}/status`, {
                              method: 'PATCH',
                              json: { status: template.status === 'active' ? 'paused' : 'active' },
                            }),
                          template.status === 'active' ? '已暂停领取' : '已恢复领取',
                        )
                      }
                    >
                      {template.status === 'active' ? '暂停' : '恢复'}
                    </Button>
                  </Space>
                ),
              },
            ]}
          />
        )}
      </PageState>
      {editing ? (
        <TemplateModal
          editing={editing}
          onClose={(saved) => {
            setEditing(null);
            if (saved) loaded.reload();
          }}
        />
      ) : null}
    </Card>
  );
}

const KIND_OPTIONS = (Object.keys(COUPON_KIND_NAMES) as CouponKind[]).map((kind) => ({ value: kind, label: COUPON_KIND_NAMES[kind] }));
const AUDIENCE_OPTIONS: Array<{ value: CouponAudience; label: string }> = [
  { value: 'all', label: '全部会员' },
  { value: 'tiers', label: '指定等级' },
  { value: 'new_members', label: '仅新会员' },
];

/** The template form: the staff pages' rules (buildTemplateRequest) decide what is valid and say why in Chinese. */
function TemplateModal({ editing, onClose }: { editing: Editing; onClose: (saved: boolean) => void }) {
  const { message } = App.useApp();
  const [form, setForm] = useState<TemplateForm>(() => {
    if (editing.mode === 'new') return emptyTemplateForm(businessDate(new Date()), businessDate(new Date(Date.now() + 30 * DAY_MS)));
    return templateFormOf(editing.template, editing.mode === 'copy' ? copyName(editing.template.name) : editing.template.name);
  });
  const [errors, setErrors] = useState<TemplateFormErrors | null>(null);
  const [serverError, setServerError] = useState('');
  const [saving, setSaving] = useState(false);

  // Each change applies to the form as it is by then: two can arrive before React renders between them, and a
  // whole form built from this render's copy would silently undo the other.
  const set = <K extends keyof TemplateForm>(field: K, value: TemplateForm[K]) => setForm((current) => ({ ...current, [field]: value }));
  // Once the person has tried to save, the red marks follow what they type.
  useEffect(() => {
    setErrors((shown) => {
      if (!shown) return shown;
      const still = buildTemplateRequest(form, new Date());
      return 'errors' in still ? still.errors : {};
    });
  }, [form]);

  const submit = async () => {
    setServerError('');
    const built = buildTemplateRequest(form, new Date());
    if ('errors' in built) {
      setErrors(built.errors);
      return;
    }
    setSaving(true);
    try {
      if (editing.mode === 'edit') await api(`admin/coupon-templates/${editing.template.id}`, { method: 'PUT', json: built.request });
      else await api('admin/coupon-templates', { method: 'POST', json: built.request });
      message.success(editing.mode === 'edit' ? '已保存修改' : '已创建');
      onClose(true);
    } catch (error) {
      // The server's word is final (e.g. COUPON_TEMPLATE_ALREADY_LIVE when someone claimed it meanwhile).
      setServerError(error instanceof ApiError ? error.message : '保存失败，请重试');
    } finally {
      setSaving(false);
    }
  };

  const item = (field: keyof TemplateForm, label: string, child: ReactNode) => (
    <Form.Item label={label} validateStatus={errors?.[field] ? 'error' : undefined} help={errors?.[field]} style={{ marginBottom: 14 }}>
      {child}
    </Form.Item>
  );
  const text = (field: keyof TemplateForm, id: string, placeholder = '', type = 'text') => (
    <Input
      id={id}
      type={type}
      placeholder={placeholder}
      value={String(form[field])}
      disabled={saving}
      onChange={(event) => set(field, event.target.value as never)}
    />
  );
  const title = editing.mode === 'edit' ? '编辑优惠券' : editing.mode === 'copy' ? '复制优惠券' : '新建优惠券';

  return (
    <Modal
      open
      title={title}
      width={720}
      okText='保存'
      cancelText='取消'
      confirmLoading={saving}
      onOk={() => void submit()}
      onCancel={() => onClose(false)}
      okButtonProps={{ id: 'coupon-save' }}
      destroyOnHidden
    >
      <Form layout='vertical' id='coupon-form'>
        {serverError ? (
          <Typography.Paragraph id='coupon-form-error' type='danger'>
            {serverError}
          </Typography.Paragraph>
        ) : errors && Object.keys(errors).length > 0 ? (
          <Typography.Paragraph id='coupon-form-error' type='danger'>
            请检查标红的项目
          </Typography.Paragraph>
        ) : null}
        {item('name', '券名称', text('name', 'coupon-name', '如：双十二满减券'))}
        {item(
          'kind',
          '券类型',
          <Radio.Group
            id='coupon-kind'
            optionType='button'
            options={KIND_OPTIONS}
            value={form.kind}
            disabled={saving}
            onChange={(event) => set('kind', event.target.value as CouponKind)}
          />,
        )}
        <Space size={16} align='start' wrap>
          {form.kind === 'cash_off' || form.kind === 'no_threshold'
            ? item('value', '减免金额（元）', text('value', 'coupon-value', '如 20'))
            : null}
          {form.kind === 'percent_off' ? item('percent', '折扣（折）', text('percent', 'coupon-percent', '如 8.5 表示 85 折')) : null}
          {form.kind === 'percent_off' ? item('cap', '最高优惠（元，可不填）', text('cap', 'coupon-cap', '不填则不封顶')) : null}
          {form.kind === 'gift' ? item('giftName', '赠品名称', text('giftName', 'coupon-gift', '如：定制帆布袋')) : null}
          {form.kind !== 'no_threshold'
            ? item(
                'threshold',
                form.kind === 'cash_off' ? '使用门槛（满多少元）' : '使用门槛（元，可不填）',
                text('threshold', 'coupon-threshold', form.kind === 'cash_off' ? '如 200' : '不填则无门槛'),
              )
            : null}
        </Space>
        <Space size={16} align='start' wrap>
          {item('stock', '发行总量（张）', text('stock', 'coupon-stock', '如 1000'))}
          {item('perMemberLimit', '每人限领（张）', text('perMemberLimit', 'coupon-limit', '1'))}
          {item('pointsPrice', '积分兑换价（可不填）', text('pointsPrice', 'coupon-points-price', '不填则免费领取'))}
        </Space>
        {item(
          'validityType',
          '有效期',
          <Radio.Group
            id='coupon-validity-type'
            value={form.validityType}
            disabled={saving}
            onChange={(event) => set('validityType', event.target.value as TemplateForm['validityType'])}
            options={[
              { value: 'relative', label: '领取后 N 天' },
              { value: 'fixed', label: '固定日期' },
            ]}
          />,
        )}
        <Space size={16} align='start' wrap>
          {form.validityType === 'relative' ? (
            item('validDays', '有效天数', text('validDays', 'coupon-valid-days', '如 7'))
          ) : (
            <>
              {item('validFrom', '有效期开始', text('validFrom', 'coupon-valid-from', '', 'date'))}
              {item('validUntil', '有效期结束', text('validUntil', 'coupon-valid-until', '', 'date'))}
            </>
          )}
          {item('claimStarts', '领取开始', text('claimStarts', 'coupon-claim-starts', '', 'date'))}
          {item('claimEnds', '领取结束', text('claimEnds', 'coupon-claim-ends', '', 'date'))}
        </Space>
        {item(
          'audience',
          '可领对象',
          <Radio.Group
            id='coupon-audience'
            value={form.audience}
            disabled={saving}
            options={AUDIENCE_OPTIONS}
            onChange={(event) => set('audience', event.target.value as CouponAudience)}
          />,
        )}
        {form.audience === 'tiers'
          ? item(
              'tiers',
              '会员等级',
              <Checkbox.Group
                value={form.tiers}
                disabled={saving}
                options={TIER_CODES.map((tier) => ({ value: tier, label: TIER_NAMES[tier] }))}
                onChange={(tiers) => set('tiers', tiers)}
              />,
            )
          : null}
        {item(
          'stacksWithMemberDiscount',
          '与会员折扣',
          <Select
            id='coupon-stacks'
            style={{ width: 160 }}
            value={form.stacksWithMemberDiscount ? 'yes' : 'no'}
            disabled={saving}
            options={[
              { value: 'no', label: '不可叠加' },
              { value: 'yes', label: '可叠加' },
            ]}
            onChange={(value) => set('stacksWithMemberDiscount', value === 'yes')}
          />,
        )}
        {item(
          'description',
          '使用说明（可不填）',
          <Input.TextArea
            id='coupon-description'
            rows={2}
            value={form.description}
            disabled={saving}
            onChange={(event) => set('description', event.target.value)}
          />,
        )}
        <Typography.Text type='secondary'>
          {(() => {
            const built = buildTemplateRequest(form, new Date());
            return 'request' in built ? `预览：${couponLabel(built.request.terms)}` : '';
          })()}
        </Typography.Text>
      </Form>
    </Modal>
  );
}
