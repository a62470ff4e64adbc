import { Text, View } from '@tarojs/components';
import type { FeedbackCaseSummary } from '@member/shared';
import { listMyFeedback } from '../../api';
import ActionButton from '../../components/ActionButton';
import StateView from '../../components/StateView';
import '../../components/FeedbackThread/index.scss';
import { useLoader } from '../../hooks/useLoader';
import { businessDateTime } from '../../utils/dates';
import { feedbackStatus, feedbackTitle, goodwillText } from '../../utils/feedback';
import { openPage } from '../../utils/navigation';
import './index.scss';

const fetchList = async () => (await listMyFeedback()).cases;

function CaseRow({ c }: { c: FeedbackCaseSummary }) {
  const status = feedbackStatus(c);
  const goodwill = goodwillText(c.goodwill);
  return (
    <View id={`feedback-${c.id}`} className='feedback-row' onClick={() => openPage(`/pages/feedback-detail/index?id=${c.id}`)}>
      <View className='feedback-row__head'>
        <Text className='feedback-row__title'>{feedbackTitle(c)}</Text>
        <Text id={`feedback-${c.id}-status`} className={`feedback-chip feedback-chip--${status.tone}`}>
          {status.text}
        </Text>
      </View>
      <Text className='feedback-row__text'>{c.text}</Text>
      <Text className='feedback-row__at'>
        {businessDateTime(c.createdAt)}
        {goodwill ? ` · ${goodwill}` : ''}
      </Text>
    </View>
  );
}

/** 意见反馈: the member's cases with their status (待回复 / 已回复 / 已解决), newest first, and 提交反馈. */
export default function FeedbackPage() {
  const { state, reload } = useLoader(fetchList, { blockedBy: ['MEMBER_NOT_JOINED'] });
  const add = (
    <ActionButton id='feedback-new' className='primary-button feedback-page__new' onClick={() => openPage('/pages/feedback-new/index')}>
      提交反馈或投诉
    </ActionButton>
  );
  if (state.kind === 'loading')
    return (
      <View className='page feedback-page'>
        <StateView status='loading' idPrefix='feedback-page' title='正在加载…' />
      </View>
    );
  if (state.kind === 'error')
    return (
      <View className='page feedback-page'>
        <StateView status='error' idPrefix='feedback-page' title='加载失败' message={state.message} onRetry={() => void reload(false)} />
      </View>
    );
  if (state.kind === 'blocked')
    return (
      <View className='page feedback-page'>
        <StateView
          status='empty'
          idPrefix='feedback-page'
          title='开通会员后可提交反馈'
          retryText='开通会员'
          onRetry={() => openPage('/pages/join/index')}
        />
      </View>
    );
  return (
    <View className='page feedback-page'>
      <Text className='feedback-page__intro'>您的意见我们都会认真对待：门店问题 1 小时内、线上问题 30 分钟内回复（营业时间）。</Text>
      {add}
      {state.data.length === 0 ? (
        <StateView status='empty' idPrefix='feedback-page' title='还没有反馈记录' compact />
      ) : (
        <View id='feedback-list'>
          {state.data.map((c) => (
            <CaseRow key={c.id} c={c} />
          ))}
        </View>
      )}
    </View>
  );
}
