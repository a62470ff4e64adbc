import { useCallback, useEffect, useState, type ReactNode } from 'react';
import Taro from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import { createPurchaseRule, getPurchaseRule, listCouponTemplates, messageOf, updatePurchaseRule } from '../../api';
import ActionButton from '../../components/ActionButton';
import ChoiceChips from '../../components/ChoiceChips';
import StateView from '../../components/StateView';
import { useLoader } from '../../hooks/useLoader';
import { TIER_OPTIONS } from '../../utils/audience';
import {
  buildRuleRequest,
  CHANNEL_OPTIONS,
  emptyRuleForm,
  MULTIPLIER_OPTIONS,
  ruleFormOf,
  type RuleForm,
} from '../../utils/purchase-rules';
import './index.scss';

const YES_NO = [
  { value: 'no', label: '否' },
  { value: 'yes', label: '是' },
] as const;

type TextField =
  | 'name'
  | 'minPaidYuan'
  | 'stores'
  | 'startsOn'
  | 'endsOn'
  | 'couponCount'
  | 'points'
  | 'maxGrants'
  | 'maxPoints'
  | 'maxCoupons'
  | 'priority';

/** A rule's form (admins): a new draft, or a draft edited (`?id=`). Saved as a draft; activated from its page. */
export default function RuleEditPage() {
  const id = Number(Taro.getCurrentInstance().router?.params?.id ?? 0) || null;
  const [form, setForm] = useState<RuleForm>(emptyRuleForm);
  const [loaded, setLoaded] = useState(id === null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const templates = useLoader(listCouponTemplates, { blockedBy: ['FORBIDDEN'] });

  useEffect(() => {
    if (id === null) return;
    getPurchaseRule(id)
      .then((rule) => setForm(ruleFormOf(rule)))
      .catch((failure: unknown) => setError(messageOf(failure)))
      .finally(() => setLoaded(true));
  }, [id]);

  const set = useCallback(<K extends keyof RuleForm>(field: K, value: RuleForm[K]) => setForm((f) => ({ ...f, [field]: value })), []);

  if (templates.state.kind === 'blocked')
    return (
      <View className='page rule-form'>
        <StateView status='empty' idPrefix='rule-form' title='仅限管理员使用' message='营销规则需要管理员权限' />
      </View>
    );
  if (!loaded || templates.state.kind === 'loading')
    return (
      <View className='page rule-form'>
        <StateView status='loading' idPrefix='rule-form' />
      </View>
    );

  const save = async () => {
    const built = buildRuleRequest(form);
    if (!built.ok) return setError(built.error);
    setError(null);
    setSaving(true);
    try {
      const saved = id === null ? await createPurchaseRule(built.request) : await updatePurchaseRule(id, built.request);
      void Taro.showToast({ title: '已保存为草稿', icon: 'success' });
      void Taro.redirectTo({ url: `/staff/rule/index?id=${saved.id}` });
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setSaving(false);
    }
  };

  const input = (field: TextField, placeholder: string, type: 'text' | 'number' | 'digit' = 'text') => (
    <Input
      id={`rule-${field}`}
      className='rule-form__input'
      type={type}
      placeholder={placeholder}
      maxlength={field === 'stores' ? 200 : 40}
      value={form[field]}
      disabled={saving}
      onInput={(event) => set(field, event.detail.value)}
    />
  );
  const yesNo = (field: 'firstPurchase' | 'memberDayOnly' | 'exclusive' | 'takeBackOnRefund') => (
    <ChoiceChips
      idPrefix={`rule-${field}`}
      options={YES_NO}
      selected={form[field] ? 'yes' : 'no'}
      disabled={saving}
      onSelect={(value) => set(field, value === 'yes')}
    />
  );
  const active =
    templates.state.kind === 'ready' ? templates.state.data.filter((t) => t.status === 'active' || t.id === form.couponTemplateId) : [];

  return (
    <View className='page rule-form'>
      <Row label='规则名称'>{input('name', '如：满300送券、首单礼、双倍积分周')}</Row>
      <Row label='条件（都满足才发放；不填即不限）'>
        <Text className='rule-form__label'>实付满（元，券和积分抵扣之后）</Text>
        {input('minPaidYuan', '如 300', 'digit')}
        <Text className='rule-form__label'>仅首单</Text>
        {yesNo('firstPurchase')}
        <Text className='rule-form__label'>会员等级</Text>
        <ChoiceChips
          idPrefix='rule-tier'
          options={TIER_OPTIONS}
          selected={form.tiers}
          disabled={saving}
          onSelect={(tier) => set('tiers', form.tiers.includes(tier) ? form.tiers.filter((t) => t !== tier) : [...form.tiers, tier])}
        />
        <Text className='rule-form__label'>门店编码（逗号分隔）</Text>
        {input('stores', '如 S001,S002')}
        <Text className='rule-form__label'>日期（含首尾两天，北京时间）</Text>
        <View className='rule-form__pair'>
          {input('startsOn', '开始 2026-12-01')}
          {input('endsOn', '结束 2026-12-07')}
        </View>
        <Text className='rule-form__label'>仅会员日</Text>
        {yesNo('memberDayOnly')}
        <Text className='rule-form__label'>支付渠道</Text>
        <ChoiceChips
          idPrefix='rule-channel'
          options={CHANNEL_OPTIONS}
          selected={form.channel}
          disabled={saving}
          onSelect={(v) => set('channel', v)}
        />
      </Row>
      <Row label='奖励'>
        <Text className='rule-form__label'>赠送优惠券（占用券的库存）</Text>
        <ChoiceChips
          idPrefix='rule-coupon'
          options={[{ value: 'none', label: '不送券' }, ...active.map((t) => ({ value: String(t.id), label: t.name }))]}
          selected={form.couponTemplateId === null ? 'none' : String(form.couponTemplateId)}
          disabled={saving}
          onSelect={(v) => set('couponTemplateId', v === 'none' ? null : Number(v))}
        />
        {form.couponTemplateId !== null ? (
          <>
            <Text className='rule-form__label'>每次赠送张数</Text>
            {input('couponCount', '如 1', 'number')}
          </>
        ) : null}
        <Text className='rule-form__label'>赠送积分</Text>
        {input('points', '如 100', 'number')}
        <Text className='rule-form__label'>积分倍数（按本单所得积分加赠）</Text>
        <ChoiceChips
          idPrefix='rule-multiplier'
          options={MULTIPLIER_OPTIONS}
          selected={form.multiplier}
          disabled={saving}
          onSelect={(v) => set('multiplier', v)}
        />
      </Row>
      <Row label='预算（不填即不限；用完即停止发放）'>
        <View className='rule-form__pair'>
          {input('maxGrants', '最多次数', 'number')}
          {input('maxPoints', '积分上限', 'number')}
          {input('maxCoupons', '券上限', 'number')}
        </View>
      </Row>
      <Row label='优先级与互斥'>
        <Text className='rule-form__label'>优先级（数字大的先发）</Text>
        {input('priority', '0')}
        <Text className='rule-form__label'>独享（之前没有规则发放时才发，发放后其余规则不再发）</Text>
        {yesNo('exclusive')}
        <Text className='rule-form__label'>全额退款时收回奖励</Text>
        {yesNo('takeBackOnRefund')}
      </Row>
      {error ? (
        <Text id='rule-error' className='form-error'>
          {error}
        </Text>
      ) : null}
      <ActionButton id='rule-save' className='primary-button rule-form__save' loading={saving} onClick={() => void save()}>
        保存草稿
      </ActionButton>
    </View>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <View className='rule-form__row'>
      <Text className='rule-form__title'>{label}</Text>
      {children}
    </View>
  );
}
