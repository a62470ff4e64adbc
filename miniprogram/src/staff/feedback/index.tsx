import { useCallback, useState } from 'react';
import { Text, View } from '@tarojs/components';
import type { FeedbackCaseSummary } from '@member/shared';
import { listStaffFeedback } from '../../api';
import ChoiceChips from '../../components/ChoiceChips';
import StateView from '../../components/StateView';
import '../../components/FeedbackThread/index.scss';
import { useLoader } from '../../hooks/useLoader';
import { dueText, feedbackStatus, feedbackTitle } from '../../utils/feedback';
import { openPage } from '../../utils/navigation';
import './index.scss';

const FILTERS = [
  { value: 'open' as const, label: '待处理' },
  { value: 'all' as const, label: '全部' },
];

function QueueRow({ c }: { c: FeedbackCaseSummary }) {
  const status = feedbackStatus(c, true);
  return (
    <View
      id={`queue-${c.id}`}
      className={`queue-row${c.overdue ? ' queue-row--late' : ''}`}
      onClick={() => openPage(`/staff/feedback-case/index?id=${c.id}`)}
    >
      <View className='queue-row__head'>
        <Text className='queue-row__title'>{feedbackTitle(c)}</Text>
        <Text id={`queue-${c.id}-status`} className={`feedback-chip feedback-chip--${status.tone}`}>
          {status.text}
        </Text>
      </View>
      <Text className='queue-row__text'>{c.text}</Text>
      <Text className='queue-row__meta'>
        {c.channel === 'store' ? '门店登记' : '线上'} · {c.storeCode ?? '总部'} · 会员号 {c.memberId}
      </Text>
      <Text className={`queue-row__due${c.overdue ? ' queue-row__due--late' : ''}`}>{dueText(c)}</Text>
    </View>
  );
}

/** 投诉反馈: the cases of my stores (HQ: all), overdue first, then by the time the first answer is due. */
export default function StaffFeedbackPage() {
  const [filter, setFilter] = useState<'open' | 'all'>('open');
  const { state, reload } = useLoader(
    useCallback(async () => (await listStaffFeedback(filter)).cases, [filter]),
    { blockedBy: ['FORBIDDEN'] },
  );
  return (
    <View className='page staff-feedback'>
      <ChoiceChips idPrefix='queue-filter' options={FILTERS} selected={filter} onSelect={setFilter} />
      {state.kind === 'loading' ? <StateView status='loading' idPrefix='queue' /> : null}
      {state.kind === 'error' ? (
        <StateView status='error' idPrefix='queue' message={state.message} onRetry={() => void reload(false)} />
      ) : null}
      {state.kind === 'blocked' ? <StateView status='empty' idPrefix='queue' title='仅限门店员工使用' /> : null}
      {state.kind === 'ready' && state.data.length === 0 ? (
        <StateView status='empty' idPrefix='queue' title={filter === 'open' ? '没有待处理的反馈' : '还没有反馈'} compact />
      ) : null}
      {state.kind === 'ready' && state.data.length > 0 ? (
        <View id='queue-list'>
          {state.data.map((c) => (
            <QueueRow key={c.id} c={c} />
          ))}
        </View>
      ) : null}
    </View>
  );
}
