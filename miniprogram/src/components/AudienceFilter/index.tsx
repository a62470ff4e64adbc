import type { ReactNode } from 'react';
import { Input, Text, View } from '@tarojs/components';
import type { LifecycleStatus, RfmSegment, TierCode } from '@member/shared';
import ChoiceChips from '../ChoiceChips';
import {
  MONTH_OPTIONS,
  SEGMENT_OPTIONS,
  STATUS_OPTIONS,
  TIER_OPTIONS,
  toggled,
  type AudienceForm,
  type AudienceFormErrors,
  type AudienceFormField,
} from '../../utils/audience';
import './index.scss';

export interface AudienceFilterProps {
  form: AudienceForm;
  /** Given a change to apply to the form as it is then (two changes can arrive between renders). */
  onChange: (update: (current: AudienceForm) => AudienceForm) => void;
  errors?: AudienceFormErrors;
  disabled?: boolean;
  /** Member counts per RFM segment from the last refresh, shown on the chips when known. */
  segmentCounts?: Partial<Record<RfmSegment, number>> | null;
  /**
   * Element ids: `${idPrefix}-tier-<code>`, `-status-<status>`, `-month-<n>`, `-segment-<segment>`,
   * `-days-min`, `-days-max`, `-spend-min`, `-spend-max`.
   */
  idPrefix?: string;
}

/**
 * The audience filter (客户分层条件): tiers, lifecycle statuses, birthday months, days since the last purchase,
 * 12-month spend and RFM segments. Nothing picked in a group means anyone; several chips in a group mean any of
 * them; the groups together must all hold. Controlled: the page keeps the form (the audience builder and the
 * campaign form both use it).
 */
export default function AudienceFilter({
  form,
  onChange,
  errors = {},
  disabled = false,
  segmentCounts = null,
  idPrefix = 'audience',
}: AudienceFilterProps) {
  const set = <K extends keyof AudienceForm>(field: K, value: AudienceForm[K]) => onChange((current) => ({ ...current, [field]: value }));
  /** A chip toggled in or out of the group as it is then: two quick taps in one group both count. */
  const toggle = <K extends 'tiers' | 'lifecycleStatuses' | 'birthdayMonths' | 'rfmSegments'>(field: K, value: AudienceForm[K][number]) =>
    onChange((current) => ({ ...current, [field]: toggled<AudienceForm[K][number]>(current[field], value) }));
  const segmentOptions = SEGMENT_OPTIONS.map((option) => {
    const count = segmentCounts?.[option.value];
    return count === undefined ? option : { ...option, label: `${option.label} ${count}` };
  });

  const number = (field: AudienceFormField, id: string, placeholder: string, type: 'number' | 'digit') => (
    <Input
      id={`${idPrefix}-${id}`}
      className={`audience-filter__input${errors[field] ? ' audience-filter__input--error' : ''}`}
      type={type}
      placeholder={placeholder}
      maxlength={14}
      value={form[field]}
      disabled={disabled}
      onInput={(event) => set(field, event.detail.value)}
    />
  );

  return (
    <View className='audience-filter'>
      <Group title='会员等级'>
        <ChoiceChips
          idPrefix={`${idPrefix}-tier`}
          options={TIER_OPTIONS}
          selected={form.tiers}
          disabled={disabled}
          onSelect={(tier: TierCode) => toggle('tiers', tier)}
        />
      </Group>
      <Group title='会员状态'>
        <ChoiceChips
          idPrefix={`${idPrefix}-status`}
          options={STATUS_OPTIONS}
          selected={form.lifecycleStatuses}
          disabled={disabled}
          onSelect={(status: LifecycleStatus) => toggle('lifecycleStatuses', status)}
        />
      </Group>
      <Group title='生日月份'>
        <ChoiceChips
          idPrefix={`${idPrefix}-month`}
          options={MONTH_OPTIONS}
          selected={form.birthdayMonths.map(String)}
          disabled={disabled}
          onSelect={(month) => toggle('birthdayMonths', Number(month))}
        />
      </Group>
      <Group title='距上次消费（天）' hint='今天消费为 0 天；从未消费的会员不在此范围内' error={errors.daysMin ?? errors.daysMax}>
        <View className='audience-filter__range'>
          {number('daysMin', 'days-min', '最少', 'number')}
          <Text className='audience-filter__dash'>至</Text>
          {number('daysMax', 'days-max', '最多', 'number')}
        </View>
      </Group>
      <Group title='近12个月消费（元）' hint='按最近一次分层数据计算，含退款扣减' error={errors.spendMin ?? errors.spendMax}>
        <View className='audience-filter__range'>
          {number('spendMin', 'spend-min', '最低', 'digit')}
          <Text className='audience-filter__dash'>至</Text>
          {number('spendMax', 'spend-max', '最高', 'digit')}
        </View>
      </Group>
      <Group title='客户分层（RFM）'>
        <ChoiceChips
          idPrefix={`${idPrefix}-segment`}
          options={segmentOptions}
          selected={form.rfmSegments}
          disabled={disabled}
          onSelect={(segment: RfmSegment) => toggle('rfmSegments', segment)}
        />
      </Group>
      <Text className='audience-filter__note'>不选即不限；同一项内多选为“或”，不同项之间为“且”。</Text>
    </View>
  );
}

function Group({ title, hint, error, children }: { title: string; hint?: string; error?: string; children: ReactNode }) {
  return (
    <View className='audience-filter__group'>
      <Text className='audience-filter__title'>{title}</Text>
      {children}
      {hint ? <Text className='audience-filter__hint'>{hint}</Text> : null}
      {error ? <Text className='audience-filter__error'>{error}</Text> : null}
    </View>
  );
}
