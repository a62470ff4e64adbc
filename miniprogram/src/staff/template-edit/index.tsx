import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import Taro from '@tarojs/taro';
import { Input, Picker, Text, Textarea, View } from '@tarojs/components';
import ActionButton from '../../components/ActionButton';
import { COUPON_KINDS, TIER_CODES, type CouponAudience, type CouponKind, type CouponTemplateView, type TierCode } from '@member/shared';
import { createCouponTemplate, getCouponTemplate, isApiError, messageOf, updateCouponTemplate } from '../../api';
import ChoiceChips from '../../components/ChoiceChips';
import CouponTicket from '../../components/CouponTicket';
import StateView from '../../components/StateView';
import { useEditSource, type EditMode } from '../../hooks/useEditSource';
import { useGuidedErrors } from '../../hooks/useGuidedErrors';
import { toggled } from '../../utils/audience';
import { COUPON_KIND_NAMES, TIER_NAMES } from '../../utils/coupons';
import { businessDate } from '../../utils/dates';
import { copyName } from '../../utils/form-errors';
import {
  buildTemplateRequest,
  emptyTemplateForm,
  fieldOfServerPath,
  TEMPLATE_FIELD_ORDER,
  templateFormOf,
  type TemplateForm,
  type TemplateFormErrors,
  type TemplateFormField,
  type ValidityType,
} from '../../utils/template-form';
import './index.scss';

const KIND_OPTIONS = COUPON_KINDS.map((kind) => ({ value: kind, label: COUPON_KIND_NAMES[kind] }));
const VALIDITY_OPTIONS: ReadonlyArray<{ value: ValidityType; label: string }> = [
  { value: 'relative', label: '领取后 N 天' },
  { value: 'fixed', label: '固定日期' },
];
const AUDIENCE_OPTIONS: ReadonlyArray<{ value: CouponAudience; label: string }> = [
  { value: 'all', label: '全部会员' },
  { value: 'tiers', label: '指定等级' },
  { value: 'new_members', label: '仅新会员' },
];
const TIER_OPTIONS = TIER_CODES.map((tier) => ({ value: tier, label: TIER_NAMES[tier] }));
const STACK_OPTIONS = [
  { value: 'no', label: '不可叠加' },
  { value: 'yes', label: '可叠加' },
] as const;

const DAY_MS = 86_400_000;

/**
 * The coupon form (admins): a new template, an edit of one not live yet (`?id=`), or a copy of any (`?copyOf=`,
 * named "… 副本", saved as a new template). A live template cannot be edited: the page says why and offers a copy.
 */
export default function TemplateEditPage() {
  const { mode, source, retry } = useEditSource(getCouponTemplate);
  useEffect(() => {
    // The page config's title is the new form's; an edit or a copy says what it is.
    if (mode.kind !== 'new') void Taro.setNavigationBarTitle({ title: mode.kind === 'edit' ? '编辑优惠券' : '复制优惠券' });
  }, [mode]);
  const page = (content: ReactNode) => <View className='page tpl-form'>{content}</View>;
  if (source.kind === 'loading') return page(<StateView status='loading' idPrefix='tpl-form' />);
  if (source.kind === 'error') return page(<StateView status='error' idPrefix='tpl-form' message={source.message} onRetry={retry} />);
  if (source.kind === 'blocked')
    return page(<StateView status='empty' idPrefix='tpl-form' title='仅限管理员使用' message='优惠券的创建和修改需要管理员权限' />);
  const template = source.data;
  if (mode.kind === 'edit' && template?.liveBecause) {
    return page(
      <StateView
        status='empty'
        idPrefix='tpl-form-live'
        title='这张券已生效，不能再修改'
        message='已开始领取、已发出或已被进行中的活动使用的券，条款不能再改。可以复制一张新券再修改。'
        retryText='复制为新券'
        onRetry={() => void Taro.redirectTo({ url: `/staff/template-edit/index?copyOf=${template.id}` })}
      />,
    );
  }
  return <TemplateFormPage mode={mode} template={template} />;
}

function TemplateFormPage({ mode, template }: { mode: EditMode; template: CouponTemplateView | null }) {
  const initial = useMemo(() => {
    if (template) return templateFormOf(template, mode.kind === 'copy' ? copyName(template.name) : template.name);
    const now = Date.now();
    return emptyTemplateForm(businessDate(new Date(now)), businessDate(new Date(now + 30 * DAY_MS)));
  }, [mode, template]);
  const [form, setForm] = useState<TemplateForm>(initial);
  const { errors, formError, setFormError, show, recheck } = useGuidedErrors({ order: TEMPLATE_FIELD_ORDER, rowPrefix: 'tpl-row-' });
  const [saving, setSaving] = useState(false);
  const submitted = useRef(false);

  // Each change applies to the form as it is by then: two can arrive before React renders between them, and a
  // whole form built from this render's copy would silently undo the other.
  const set = <K extends keyof TemplateForm>(field: K, value: TemplateForm[K]) => setForm((current) => ({ ...current, [field]: value }));
  // Once a save has marked fields red, the marks follow the form: kept while still wrong, dropped once right.
  useEffect(() => {
    const still = buildTemplateRequest(form, new Date());
    recheck('errors' in still ? still.errors : null);
  }, [form, recheck]);

  const built = buildTemplateRequest(form, new Date());
  const preview = 'request' in built ? built.request.terms : null;
  const startsLater = 'request' in built && Date.parse(built.request.claimStartsAt) > Date.now();

  const submit = async () => {
    if (saving || submitted.current) return;
    setFormError('');
    const result = buildTemplateRequest(form, new Date());
    if ('errors' in result) {
      show(result.errors, '请检查标红的项目');
      return;
    }
    setSaving(true);
    try {
      if (mode.kind === 'edit') await updateCouponTemplate(mode.id, result.request);
      else await createCouponTemplate(result.request);
      submitted.current = true;
      const title = mode.kind === 'edit' ? '已保存修改' : startsLater ? `已创建，${form.claimStarts} 开始领取` : '已创建，会员现在可以领取';
      void Taro.showToast({ title, icon: 'none' });
      setTimeout(() => void Taro.navigateBack(), 600);
    } catch (failure) {
      const fieldErrors: TemplateFormErrors = {};
      if (isApiError(failure)) {
        for (const detail of failure.details ?? []) {
          const field = fieldOfServerPath(detail.path);
          if (field) fieldErrors[field] = '服务器未接受此项，请检查';
        }
      }
      show(fieldErrors, messageOf(failure));
    } finally {
      setSaving(false);
    }
  };

  const text = (field: keyof TemplateForm, id: string, placeholder: string, type: 'text' | 'digit' | 'number' = 'text', maxlength = 40) => (
    <Input
      id={id}
      className='tpl-form__input'
      type={type}
      placeholder={placeholder}
      maxlength={maxlength}
      value={String(form[field])}
      disabled={saving}
      onInput={(event) => set(field, event.detail.value as never)}
    />
  );

  const date = (field: 'validFrom' | 'validUntil' | 'claimStarts' | 'claimEnds', id: string) => (
    <Picker mode='date' value={form[field]} disabled={saving} onChange={(event) => set(field, String(event.detail.value))}>
      <View id={id} className='tpl-form__input tpl-form__picker'>
        <Text>{form[field] || '请选择日期'}</Text>
      </View>
    </Picker>
  );

  return (
    <View className='page tpl-form'>
      <Row field='name' label='券名称' error={errors.name}>
        {text('name', 'tpl-name', '如：双十二满减券')}
      </Row>
      <Row label='券类型'>
        <ChoiceChips
          idPrefix='tpl-kind'
          options={KIND_OPTIONS}
          selected={form.kind}
          disabled={saving}
          onSelect={(kind: CouponKind) => set('kind', kind)}
        />
      </Row>

      {form.kind === 'cash_off' || form.kind === 'no_threshold' ? (
        <Row field='value' label='减免金额（元）' error={errors.value}>
          {text('value', 'tpl-value', '如 20', 'digit', 12)}
        </Row>
      ) : null}
      {form.kind === 'percent_off' ? (
        <>
          <Row field='percent' label='折扣（折）' error={errors.percent}>
            {text('percent', 'tpl-percent', '如 8.5 表示 85 折', 'digit', 5)}
          </Row>
          <Row field='cap' label='最高优惠（元，可不填）' error={errors.cap}>
            {text('cap', 'tpl-cap', '不填则不封顶', 'digit', 12)}
          </Row>
        </>
      ) : null}
      {form.kind === 'gift' ? (
        <Row field='giftName' label='赠品名称' error={errors.giftName}>
          {text('giftName', 'tpl-gift', '如：定制帆布袋')}
        </Row>
      ) : null}
      {form.kind !== 'no_threshold' ? (
        <Row
          field='threshold'
          label={form.kind === 'cash_off' ? '使用门槛（满多少元）' : '使用门槛（元，可不填）'}
          error={errors.threshold}
        >
          {text('threshold', 'tpl-threshold', form.kind === 'cash_off' ? '如 200' : '不填则无门槛', 'digit', 12)}
        </Row>
      ) : null}

      <View className='tpl-form__pair'>
        <Row field='stock' label='发行总量（张）' error={errors.stock}>
          {text('stock', 'tpl-stock', '如 1000', 'number', 9)}
        </Row>
        <Row field='perMemberLimit' label='每人限领（张）' error={errors.perMemberLimit}>
          {text('perMemberLimit', 'tpl-limit', '1', 'number', 3)}
        </Row>
      </View>

      <Row label='有效期'>
        <ChoiceChips
          idPrefix='tpl-validity'
          options={VALIDITY_OPTIONS}
          selected={form.validityType}
          disabled={saving}
          onSelect={(value: ValidityType) => set('validityType', value)}
        />
      </Row>
      {form.validityType === 'relative' ? (
        <Row field='validDays' label='有效天数（含领取当天，最后一天 23:59:59 到期）' error={errors.validDays}>
          {text('validDays', 'tpl-valid-days', '如 7', 'number', 4)}
        </Row>
      ) : (
        <View className='tpl-form__pair'>
          <Row field='validFrom' label='有效期开始' error={errors.validFrom}>
            {date('validFrom', 'tpl-valid-from')}
          </Row>
          <Row field='validUntil' label='有效期结束' error={errors.validUntil}>
            {date('validUntil', 'tpl-valid-until')}
          </Row>
        </View>
      )}

      <View className='tpl-form__pair'>
        <Row field='claimStarts' label='领取开始' error={errors.claimStarts}>
          {date('claimStarts', 'tpl-claim-starts')}
        </Row>
        <Row field='claimEnds' label='领取结束' error={errors.claimEnds}>
          {date('claimEnds', 'tpl-claim-ends')}
        </Row>
      </View>

      <Row field='tiers' label='可领取会员' error={errors.tiers}>
        <ChoiceChips
          idPrefix='tpl-audience'
          options={AUDIENCE_OPTIONS}
          selected={form.audience}
          disabled={saving}
          onSelect={(value: CouponAudience) => set('audience', value)}
        />
        {form.audience === 'tiers' ? (
          <View className='tpl-form__sub'>
            <ChoiceChips
              idPrefix='tpl-tier'
              options={TIER_OPTIONS}
              selected={form.tiers}
              disabled={saving}
              onSelect={(tier: TierCode) => setForm((current) => ({ ...current, tiers: toggled(current.tiers, tier) }))}
            />
          </View>
        ) : null}
      </Row>
      <Row label='与会员折扣叠加'>
        <ChoiceChips
          idPrefix='tpl-stacks'
          options={STACK_OPTIONS}
          selected={form.stacksWithMemberDiscount ? 'yes' : 'no'}
          disabled={saving}
          onSelect={(value) => set('stacksWithMemberDiscount', value === 'yes')}
        />
      </Row>
      <Row field='pointsPrice' label='积分兑换（可不填：不填为免费领取，填写则在积分商城用积分兑换）' error={errors.pointsPrice}>
        {text('pointsPrice', 'tpl-points-price', '如 500 积分', 'number', 8)}
      </Row>
      <Row field='description' label='使用说明（可不填）' error={errors.description}>
        <Textarea
          id='tpl-description'
          className='tpl-form__textarea'
          placeholder='如：限门店使用，特价商品除外'
          maxlength={200}
          value={form.description}
          disabled={saving}
          onInput={(event) => set('description', event.detail.value)}
        />
      </Row>

      {preview ? (
        <View className='tpl-form__preview'>
          <Text className='section-title'>会员看到的样子</Text>
          <CouponTicket terms={preview} name={form.name.trim()} />
        </View>
      ) : null}

      {formError ? (
        <Text id='tpl-error' className='form-error'>
          {formError}
        </Text>
      ) : null}
      <ActionButton
        id='tpl-submit'
        className='primary-button tpl-form__submit'
        loading={saving}
        disabled={saving || undefined}
        onClick={() => void submit()}
      >
        {mode.kind === 'edit' ? '保存修改' : startsLater ? '创建优惠券' : '创建并开始领取'}
      </ActionButton>
    </View>
  );
}

function Row({ field, label, error, children }: { field?: TemplateFormField; label: string; error?: string; children: ReactNode }) {
  return (
    <View id={field ? `tpl-row-${field}` : undefined} className={`tpl-form__row${error ? ' tpl-form__row--error' : ''}`}>
      <Text className='tpl-form__label'>{label}</Text>
      {children}
      {error ? (
        <Text id={field ? `tpl-error-${field}` : undefined} className='tpl-form__error'>
          {error}
        </Text>
      ) : null}
    </View>
  );
}
