import { useMemo, useRef, useState, type ReactNode } from 'react';
import Taro from '@tarojs/taro';
import { Input, Picker, Text, View } from '@tarojs/components';
import ActionButton from '../../components/ActionButton';
import { describeCouponTerms, MESSAGE_KINDS, type CampaignSchedule, type CouponTemplateView, type MessageKind } from '@member/shared';
import { createCampaign, isApiError, listCouponTemplates, messageOf, newIdempotencyKey } from '../../api';
import AudienceFilter from '../../components/AudienceFilter';
import AudiencePreview from '../../components/AudiencePreview';
import ChoiceChips from '../../components/ChoiceChips';
import StateView from '../../components/StateView';
import { useAudiencePreview } from '../../hooks/useAudiencePreview';
import { useLoader } from '../../hooks/useLoader';
import { audienceFormOf, MESSAGE_KIND_OPTIONS, readAudienceForm, type AudienceForm, type AudienceFormErrors } from '../../utils/audience';
import {
  buildCampaignRequest,
  campaignFieldOfServerPath,
  charCount,
  emptyCampaignForm,
  MAX_OFFER_LENGTH,
  SCHEDULE_OPTIONS,
  type CampaignForm,
  type CampaignFormErrors,
} from '../../utils/campaigns';
import { businessDate } from '../../utils/dates';
import './index.scss';

const MESSAGE_OPTIONS = [{ value: 'none', label: '不发消息' }, ...MESSAGE_KIND_OPTIONS] as const;

/** The audience (and message) the builder handed over in the link, if any: `?filter=<json>&message=<kind>`. */
function fromRoute(): { audience: AudienceForm; messageKind: MessageKind | null } {
  const params = Taro.getCurrentInstance().router?.params ?? {};
  let filter: unknown = null;
  const raw = params.filter ?? '';
  for (const text of [raw, safeDecode(raw)]) {
    try {
      filter = JSON.parse(text);
      break;
    } catch {
      // try the decoded form next
    }
  }
  const message = safeDecode(params.message ?? '');
  return {
    audience: audienceFormOf(filter),
    messageKind: (MESSAGE_KINDS as readonly string[]).includes(message) ? (message as MessageKind) : null,
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function couponLabel(template: CouponTemplateView): string {
  return `${template.name}（${describeCouponTerms(template.terms)}）`;
}

/**
 * The new-campaign form (admins): name, audience (the builder's filter, with its live size and reach for the
 * chosen message), offer (a coupon and/or points), message, schedule and holdout. One idempotency key per form:
 * saving twice (a double tap, a retry after a lost answer) creates one campaign. Saved → the campaign's page.
 */
export default function CampaignEditPage() {
  const initial = useMemo(() => {
    const handed = fromRoute();
    return { audience: handed.audience, form: { ...emptyCampaignForm(businessDate(new Date())), messageKind: handed.messageKind } };
  }, []);
  const [form, setForm] = useState<CampaignForm>(initial.form);
  const [audience, setAudience] = useState<AudienceForm>(initial.audience);
  const [errors, setErrors] = useState<CampaignFormErrors>({});
  const [audienceErrors, setAudienceErrors] = useState<AudienceFormErrors>({});
  const [formError, setFormError] = useState('');
  const [saving, setSaving] = useState(false);
  const idempotencyKey = useRef(newIdempotencyKey()).current;
  const saved = useRef(false);

  const templates = useLoader(listCouponTemplates, { blockedBy: ['FORBIDDEN'] });
  const reading = readAudienceForm(audience);
  const preview = useAudiencePreview(reading.ok ? reading.filter : null, form.messageKind);

  const set = <K extends keyof CampaignForm>(field: K, value: CampaignForm[K]) => {
    setForm((current) => ({ ...current, [field]: value }));
    setFormError('');
    setErrors((current) => ({
      ...current,
      [field]: undefined,
      ...(field === 'couponTemplateId' || field === 'points' || field === 'messageKind' ? { offer: undefined } : {}),
    }));
  };
  const changeAudience = (next: AudienceForm) => {
    setAudience(next);
    setAudienceErrors({});
    setFormError('');
    setErrors((current) => ({ ...current, audience: undefined }));
  };

  const submit = async () => {
    if (saving || saved.current) return;
    setFormError('');
    const result = buildCampaignRequest(form, readAudienceForm(audience), new Date(), idempotencyKey);
    if ('errors' in result) {
      setErrors(result.errors);
      setAudienceErrors(result.audienceErrors ?? {});
      setFormError('请检查标红的项目');
      return;
    }
    setSaving(true);
    try {
      const campaign = await createCampaign(result.request);
      saved.current = true;
      void Taro.showToast({ title: '活动已保存，确认无误后发布', icon: 'none' });
      void Taro.redirectTo({ url: `/staff/campaign/index?id=${campaign.id}` });
    } catch (failure) {
      const fieldErrors: CampaignFormErrors = {};
      if (isApiError(failure)) {
        for (const detail of failure.details ?? []) {
          const field = campaignFieldOfServerPath(detail.path);
          if (field) fieldErrors[field] = '服务器未接受此项，请检查';
        }
        if (failure.code === 'CAMPAIGN_EMPTY_OFFER') fieldErrors.offer = failure.message;
        if (failure.code === 'CAMPAIGN_COUPON_TEMPLATE_UNKNOWN') fieldErrors.couponTemplateId = failure.message;
      }
      setErrors(fieldErrors);
      setFormError(messageOf(failure));
    } finally {
      setSaving(false);
    }
  };

  if (templates.state.kind === 'blocked' || preview.forbidden) {
    return (
      <View className='page campaign-form'>
        <StateView status='empty' idPrefix='campaign-form' title='仅限管理员使用' message='营销活动需要管理员权限' />
      </View>
    );
  }

  const input = (
    field: 'name' | 'points' | 'offerText' | 'dormantDays' | 'daysBefore' | 'holdoutPercent',
    id: string,
    placeholder: string,
    type: 'text' | 'number' | 'digit' = 'text',
    maxlength = 40,
  ) => (
    <Input
      id={id}
      className={`campaign-form__input${errors[field] ? ' campaign-form__input--error' : ''}`}
      type={type}
      placeholder={placeholder}
      maxlength={maxlength}
      value={form[field]}
      disabled={saving}
      onInput={(event) => set(field, event.detail.value)}
    />
  );

  const activeTemplates = templates.state.kind === 'ready' ? templates.state.data.filter((t) => t.status === 'active') : [];
  const couponOptions = [
    { value: 'none', label: '不送券' },
    ...activeTemplates.map((t) => ({ value: String(t.id), label: couponLabel(t) })),
  ];
  const offerLength = charCount(form.offerText.trim());

  return (
    <View className='page campaign-form'>
      <Row label='活动名称' error={errors.name}>
        {input('name', 'campaign-name', '如：双十二老客回归礼')}
      </Row>

      <Row label='目标人群' error={errors.audience}>
        <AudiencePreview preview={preview} messageKind={form.messageKind} invalid={!reading.ok} />
        <View className='campaign-form__sub'>
          <AudienceFilter
            form={audience}
            onChange={changeAudience}
            errors={reading.ok ? audienceErrors : reading.errors}
            disabled={saving}
          />
        </View>
      </Row>

      <Row label='优惠券' error={errors.couponTemplateId}>
        {templates.state.kind === 'loading' ? (
          <StateView status='loading' idPrefix='campaign-coupons' compact />
        ) : templates.state.kind === 'error' ? (
          <StateView
            status='error'
            idPrefix='campaign-coupons'
            message={templates.state.message}
            onRetry={() => void templates.reload(false)}
            compact
          />
        ) : (
          <>
            <ChoiceChips
              idPrefix='campaign-coupon'
              options={couponOptions}
              selected={form.couponTemplateId === null ? 'none' : String(form.couponTemplateId)}
              disabled={saving}
              onSelect={(value) => set('couponTemplateId', value === 'none' ? null : Number(value))}
            />
            {activeTemplates.length === 0 ? (
              <Text className='campaign-form__hint'>还没有进行中的优惠券，可在「优惠券管理」中新建</Text>
            ) : null}
            <Text className='campaign-form__hint'>活动发券占用该券的库存；库存不足或券已暂停时少发的张数会在报告中列出</Text>
          </>
        )}
      </Row>

      <Row label='赠送积分（每人，可不填）' error={errors.points}>
        {input('points', 'campaign-points', '如 100', 'number', 7)}
      </Row>
      {errors.offer ? (
        <Text id='campaign-offer-error' className='form-error'>
          {errors.offer}
        </Text>
      ) : null}

      <Row label='订阅消息' error={errors.messageKind}>
        <ChoiceChips
          idPrefix='campaign-message'
          options={MESSAGE_OPTIONS}
          selected={form.messageKind ?? 'none'}
          disabled={saving}
          onSelect={(value) => set('messageKind', value === 'none' ? null : (value as MessageKind))}
        />
        {form.messageKind !== null ? (
          <View className='campaign-form__sub'>
            <Text className='campaign-form__label'>
              优惠文案（消息中的“优惠”一栏，可不填） {offerLength}/{MAX_OFFER_LENGTH}
            </Text>
            {input('offerText', 'campaign-offer', '如：满100减30券已到账', 'text', 40)}
            {errors.offerText ? <Text className='campaign-form__error'>{errors.offerText}</Text> : null}
            <Text className='campaign-form__hint'>只发给允许过该消息且未关闭的会员；免打扰时段（21:00–09:00）的消息顺延到早上发送</Text>
          </View>
        ) : null}
      </Row>

      <Row label='发送时间' error={errors.schedule}>
        <ChoiceChips
          idPrefix='campaign-schedule'
          options={SCHEDULE_OPTIONS}
          selected={form.schedule}
          disabled={saving}
          onSelect={(value: CampaignSchedule) => set('schedule', value)}
        />
        {form.schedule === 'at' ? (
          <View className='campaign-form__sub campaign-form__pair'>
            <Picker
              mode='date'
              value={form.startsDate}
              disabled={saving}
              onChange={(event) => set('startsDate', String(event.detail.value))}
            >
              <View id='campaign-starts-date' className='campaign-form__input campaign-form__picker'>
                <Text>{form.startsDate || '选择日期'}</Text>
              </View>
            </Picker>
            <Picker
              mode='time'
              value={form.startsTime}
              disabled={saving}
              onChange={(event) => set('startsTime', String(event.detail.value))}
            >
              <View id='campaign-starts-time' className='campaign-form__input campaign-form__picker'>
                <Text>{form.startsTime || '选择时间'}</Text>
              </View>
            </Picker>
          </View>
        ) : null}
        {form.schedule === 'at' && errors.startsDate ? <Text className='campaign-form__error'>{errors.startsDate}</Text> : null}
        {form.schedule === 'reactivation' ? (
          <View className='campaign-form__sub'>
            <Text className='campaign-form__label'>上次消费后满多少天（每天发给恰好满这个天数的会员）</Text>
            {input('dormantDays', 'campaign-dormant-days', '如 90', 'number', 4)}
            {errors.dormantDays ? <Text className='campaign-form__error'>{errors.dormantDays}</Text> : null}
          </View>
        ) : null}
        {form.schedule === 'coupon_expiry' ? (
          <View className='campaign-form__sub'>
            <Text className='campaign-form__label'>券到期前几天提醒</Text>
            {input('daysBefore', 'campaign-days-before', '如 3', 'number', 3)}
            {errors.daysBefore ? <Text className='campaign-form__error'>{errors.daysBefore}</Text> : null}
          </View>
        ) : null}
        <Text className='campaign-form__hint'>
          {form.schedule === 'now'
            ? '发布后立即向目标人群发放'
            : form.schedule === 'at'
              ? '到时自动发放（北京时间）'
              : '发布后每天自动执行，每位会员每个周期只发一次'}
        </Text>
      </Row>

      <Row label='对照组比例（%，0–50，可不填）' error={errors.holdoutPercent}>
        {input('holdoutPercent', 'campaign-holdout', '如 10', 'digit', 4)}
        <Text className='campaign-form__hint'>随机留出这部分会员不发任何东西，用来对比活动带来的真实增量</Text>
      </Row>

      {formError ? (
        <Text id='campaign-error' className='form-error'>
          {formError}
        </Text>
      ) : null}
      <ActionButton
        id='campaign-save'
        className='primary-button campaign-form__submit'
        loading={saving}
        disabled={saving || undefined}
        onClick={() => void submit()}
      >
        保存活动
      </ActionButton>
      <Text className='campaign-form__hint campaign-form__center'>保存后为草稿，在活动页确认人数后再发布</Text>
    </View>
  );
}

function Row({ label, error, children }: { label: string; error?: string; children: ReactNode }) {
  return (
    <View className='campaign-form__row'>
      <Text className='campaign-form__label'>{label}</Text>
      {children}
      {error ? <Text className='campaign-form__error'>{error}</Text> : null}
    </View>
  );
}
