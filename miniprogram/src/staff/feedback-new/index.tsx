import { useCallback, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, Textarea, View } from '@tarojs/components';
import { FEEDBACK_KIND_LABELS, type FeedbackCategory, type FeedbackKind } from '@member/shared';
import { createStaffFeedback, getFeedbackOptions, messageOf, PendingKeys } from '../../api';
import ActionButton from '../../components/ActionButton';
import ChoiceChips from '../../components/ChoiceChips';
import StateView from '../../components/StateView';
import { useLoader } from '../../hooks/useLoader';
import { replacePage } from '../../utils/navigation';
import { useTillMember } from '../hooks/useTillMember';
import '../feedback-case/index.scss';

const KIND_OPTIONS = (['complaint', 'feedback'] as FeedbackKind[]).map((value) => ({ value, label: FEEDBACK_KIND_LABELS[value] }));

/** 登记投诉 at the till: a case for the member the clerk identified (their till ticket), at the clerk's store. */
export default function StaffFeedbackNewPage() {
  const till = useTillMember();
  const { state, reload } = useLoader(useCallback(getFeedbackOptions, []), { refreshOnShow: false });
  const [kind, setKind] = useState<FeedbackKind>('complaint');
  const [category, setCategory] = useState<FeedbackCategory | ''>('');
  const [text, setText] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState('');
  const keys = useRef(new PendingKeys()).current;

  if (!till.member)
    return (
      <View className='page staff-case'>
        <StateView status='empty' idPrefix='staff-fb-new' title='请先识别会员' message='在收银台扫会员码后再登记投诉' />
      </View>
    );
  if (state.kind !== 'ready')
    return (
      <View className='page staff-case'>
        <StateView
          status={state.kind === 'loading' ? 'loading' : 'error'}
          idPrefix='staff-fb-new'
          message={state.kind === 'error' ? state.message : undefined}
          onRetry={() => void reload(false)}
        />
      </View>
    );
  const member = till.member;

  const submit = async () => {
    setError('');
    if (!category) return setError('请选择问题类型');
    if (text.trim().length < 5) return setError('请至少用 5 个字描述问题');
    setSaving(true);
    // Keyed by what is asked: a retry keeps its key, an edited case is a new one (a reused key is refused).
    const action = `create:${JSON.stringify({ kind, category, text: text.trim() })}`;
    try {
      const made = await createStaffFeedback({
        kind,
        category,
        text: text.trim(),
        tillTicket: member.tillTicket,
        storeCode: member.tillStoreCode ?? undefined,
        idempotencyKey: keys.keyFor(action),
      });
      keys.settle(action);
      void Taro.showToast({ title: '已登记', icon: 'success' });
      replacePage(`/staff/feedback-case/index?id=${made.id}`);
    } catch (failure) {
      keys.settle(action, failure);
      setError(messageOf(failure));
    } finally {
      setSaving(false);
    }
  };

  return (
    <View className='page staff-case'>
      <View className='staff-case__box'>
        <Text id='staff-fb-member'>
          会员 {member.nickname ?? ''} · {member.phoneMasked ?? ''} · 会员号 {member.id}
        </Text>
        <Text className='staff-case__hint'>门店登记的问题须在 1 小时内回复会员</Text>
      </View>
      <Text className='section-title'>反馈类型</Text>
      <ChoiceChips idPrefix='staff-fb-kind' options={KIND_OPTIONS} selected={kind} onSelect={setKind} />
      <Text className='section-title'>问题类型</Text>
      <ChoiceChips
        idPrefix='staff-fb-category'
        options={state.data.categories.map((c) => ({ value: c.code, label: c.label }))}
        selected={category}
        onSelect={(value) => setCategory(value as FeedbackCategory)}
      />
      <Text className='section-title'>问题描述</Text>
      <Textarea
        id='staff-fb-text'
        className='staff-case__input'
        placeholder='记录会员反映的问题'
        maxlength={state.data.maxTextChars}
        value={text}
        onInput={(event) => setText(event.detail.value)}
      />
      {error ? (
        <Text id='staff-fb-error' className='form-error'>
          {error}
        </Text>
      ) : null}
      <ActionButton id='staff-fb-submit' className='primary-button' loading={saving} onClick={() => void submit()}>
        登记
      </ActionButton>
    </View>
  );
}
