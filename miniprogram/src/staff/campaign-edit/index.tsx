import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import Taro from '@tarojs/taro';
import { Input, Picker, Text, View } from '@tarojs/components';
import ActionButton from '../../components/ActionButton';
import {
  describeCouponTerms,
  MESSAGE_KINDS,
  type CampaignSchedule,
  type CampaignView,
  type CouponTemplateView,
  type MessageKind,
} from '@member/shared';
import { createCampaign, getCampaign, isApiError, listCouponTemplates, messageOf, PendingKeys, updateCampaign } from '../../api';
import AudienceFilter from '../../components/AudienceFilter';
import AudiencePreview from '../../components/AudiencePreview';
import ChoiceChips from '../../components/ChoiceChips';
import StateView from '../../components/StateView';
import { useAudiencePreview } from '../../hooks/useAudiencePreview';
import { useEditSource, type EditMode } from '../../hooks/useEditSource';
import { useGuidedErrors } from '../../hooks/useGuidedErrors';
import { useLoader } from '../../hooks/useLoader';
import { audienceFormOf, MESSAGE_KIND_OPTIONS, readAudienceForm, type AudienceForm, type AudienceFormErrors } from '../../utils/audience';
import { copyName } from '../../utils/form-errors';
import {
  buildCampaignRequest,
  CAMPAIGN_FIELD_ORDER,
  campaignFormOf,
  campaignFieldOfServerPath,
  charCount,
  emptyCampaignForm,
  MAX_OFFER_LENGTH,
  SCHEDULE_OPTIONS,
  type CampaignForm,
  type CampaignFormErrors,
  type CampaignFormField,
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

/** Fields shown inside another field's row: the row scrolled to. */
const ROW_OF: Partial<Record<CampaignFormField, CampaignFormField>> = {
  offer: 'points',
  offerText: 'messageKind',
  startsDate: 'schedule',
  dormantDays: 'schedule',
  daysBefore: 'schedule',
};

/**
 * The campaign form (admins): a new campaign, an edit of a draft (`?id=`), or a copy of any (`?copyOf=`, named
 * "… 副本", saved as a new draft). A launched campaign cannot be edited: the page says so and offers a copy.
 */
export default function CampaignEditPage() {
  const { mode, source, retry } = useEditSource(getCampaign);
  useEffect(() => {
    // The page config's title is the new form's; an edit or a copy says what it is.
    if (mode.kind !== 'new') void Taro.setNavigationBarTitle({ title: mode.kind === 'edit' ? '编辑活动草稿' : '复制活动' });
  }, [mode]);
  const page = (content: ReactNode) => <View className='page campaign-form'>{content}</View>;
  if (source.kind === 'loading') return page(<StateView status='loading' idPrefix='campaign-form' />);
  if (source.kind === 'error') return page(<StateView status='error' idPrefix='campaign-form' message={source.message} onRetry={retry} />);
  if (source.kind === 'blocked')
    return page(<StateView status='empty' idPrefix='campaign-form' title='仅限管理员使用' message='营销活动需要管理员权限' />);
  const campaign = source.data;
  if (mode.kind === 'edit' && campaign && campaign.status !== 'draft') {
    return page(
      <StateView
        status='empty'
        idPrefix='campaign-form-live'
        title='活动已发布，不能再修改'
        message='可以复制为新的草稿，修改后再发布。'
        retryText='复制为新活动'
        onRetry={() => void Taro.redirectTo({ url: `/staff/campaign-edit/index?copyOf=${campaign.id}` })}
      />,
    );
  }
  return <CampaignFormPage mode={mode} campaign={campaign} />;
}

/**
 * Name, audience (the builder's filter, with its live size and reach for the chosen message), offer (a coupon
 * and/or points), message, schedule and holdout. One idempotency key per new form: saving twice (a double tap, a
 * retry after a lost answer) creates one campaign. Saved → the campaign's page.
 */
function CampaignFormPage({ mode, campaign }: { mode: EditMode; campaign: CampaignView | null }) {
  const initial = useMemo(() => {
    const today = businessDate(new Date());
    if (campaign) {
      const name = mode.kind === 'copy' ? copyName(campaign.name) : campaign.name;
      return { audience: audienceFormOf(campaign.filter), form: campaignFormOf(campaign, today, name) };
    }
    const handed = fromRoute();
    return { audience: handed.audience, form: { ...emptyCampaignForm(today), messageKind: handed.messageKind } };
  }, [mode, campaign]);
  const [form, setForm] = useState<CampaignForm>(initial.form);
  const [audience, setAudience] = useState<AudienceForm>(initial.audience);
  const { errors, formError, setFormError, show, recheck } = useGuidedErrors({
    order: CAMPAIGN_FIELD_ORDER,
    rowPrefix: 'campaign-row-',
    rowOf: ROW_OF,
  });
  const [audienceErrors, setAudienceErrors] = useState<AudienceFormErrors>({});
  const [saving, setSaving] = useState(false);
  // One key per draft as asked: a save whose outcome is unknown is resent with the same key (the server answers the
  // draft it made), and a changed form is another request with a key of its own (the server refuses a key reused
  // for other content).
  const keys = useRef(new PendingKeys()).current;
  const saved = useRef(false);

  const templates = useLoader(listCouponTemplates, { blockedBy: ['FORBIDDEN'] });
  const reading = readAudienceForm(audience);
  const preview = useAudiencePreview(reading.ok ? reading.filter : null, form.messageKind);

  // Each change applies to the form as it is by then, not as this render saw it: two changes can arrive before
  // React renders between them (a typed name whose input event lands after the next tap), and a whole form built
  // from this render's copy would silently undo the other.
  const set = <K extends keyof CampaignForm>(field: K, value: CampaignForm[K]) => setForm((current) => ({ ...current, [field]: value }));
  const changeAudience = (update: (current: AudienceForm) => AudienceForm) => {
    setAudience(update);
    setAudienceErrors({});
  };
  // Once a save has marked fields red, the marks follow the form: kept while still wrong, dropped once right.
  useEffect(() => {
    const still = buildCampaignRequest(form, readAudienceForm(audience), new Date(), '');
    recheck('errors' in still ? still.errors : null);
  }, [form, audience, recheck]);

  const submit = async () => {
    if (saving || saved.current) return;
    setFormError('');
    const result = buildCampaignRequest(form, readAudienceForm(audience), new Date(), '');
    if ('errors' in result) {
      setAudienceErrors(result.audienceErrors ?? {});
      show(result.errors, '请检查标红的项目');
      return;
    }
    setSaving(true);
    const { idempotencyKey: _key, ...setUp } = result.request;
    const action = JSON.stringify(setUp);
    try {
      const stored =
        mode.kind === 'edit'
          ? await updateCampaign(mode.id, setUp)
          : await createCampaign({ ...result.request, idempotencyKey: keys.keyFor(action) });
      keys.settle(action);
      saved.current = true;
      void Taro.showToast({ title: '草稿已保存，确认人数后发布', icon: 'none' });
      void Taro.redirectTo({ url: `/staff/campaign/index?id=${stored.id}` });
    } catch (failure) {
      keys.settle(action, failure);
      const fieldErrors: CampaignFormErrors = {};
      if (isApiError(failure)) {
        for (const detail of failure.details ?? []) {
          const field = campaignFieldOfServerPath(detail.path);
          if (field) fieldErrors[field] = '服务器未接受此项，请检查';
        }
        if (failure.code === 'CAMPAIGN_EMPTY_OFFER') fieldErrors.offer = failure.message;
        if (failure.code === 'CAMPAIGN_COUPON_TEMPLATE_UNKNOWN') fieldErrors.couponTemplateId = failure.message;
      }
      show(fieldErrors, messageOf(failure));
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

  const activeTemplates =
    templates.state.kind === 'ready' ? templates.state.data.filter((t) => t.status === 'active' || t.id === form.couponTemplateId) : [];
  const couponOptions = [
    { value: 'none', label: '不送券' },
    ...activeTemplates.map((t) => ({ value: String(t.id), label: couponLabel(t) })),
  ];
  const offerLength = charCount(form.offerText.trim());

  return (
    <View className='page campaign-form'>
      <Row field='name' label='活动名称' error={errors.name}>
        {input('name', 'campaign-name', '如：双十二老客回归礼')}
      </Row>

      <Row field='audience' label='目标人群' error={errors.audience}>
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

      <Row field='couponTemplateId' label='优惠券' error={errors.couponTemplateId}>
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

      <Row field='points' label='赠送积分（每人，可不填）' error={errors.points}>
        {input('points', 'campaign-points', '如 100', 'number', 7)}
      </Row>
      {errors.offer ? (
        <Text id='campaign-offer-error' className='form-error'>
          {errors.offer}
        </Text>
      ) : null}

      <Row field='messageKind' label='订阅消息' error={errors.messageKind}>
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

      <Row field='schedule' label='发送时间' error={errors.schedule}>
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

      <Row field='holdoutPercent' label='对照组比例（%，0–50，可不填）' error={errors.holdoutPercent}>
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
        {mode.kind === 'edit' ? '保存修改' : '保存活动'}
      </ActionButton>
      <Text className='campaign-form__hint campaign-form__center'>保存后为草稿，在活动页确认人数后再发布</Text>
    </View>
  );
}

function Row({ field, label, error, children }: { field: CampaignFormField; label: string; error?: string; children: ReactNode }) {
  return (
    <View id={`campaign-row-${field}`} className={`campaign-form__row${error ? ' campaign-form__row--error' : ''}`}>
      <Text className='campaign-form__label'>{label}</Text>
      {children}
      {error ? (
        <Text id={`campaign-error-${field}`} className='campaign-form__error'>
          {error}
        </Text>
      ) : null}
    </View>
  );
}
