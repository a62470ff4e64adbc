import { useCallback, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, Textarea, View } from '@tarojs/components';
import { addFeedbackMessage, getMyFeedback, messageOf, PendingKeys, rateFeedback } from '../../api';
import ActionButton from '../../components/ActionButton';
import FeedbackThread from '../../components/FeedbackThread';
import StateView from '../../components/StateView';
import { useLoader } from '../../hooks/useLoader';
import { RATING_WORDS } from '../../utils/feedback';
import './index.scss';

/** One case: the conversation (the member may add to it), the resolution and goodwill, and the rating once resolved. */
export default function FeedbackDetailPage() {
  const id = Number(Taro.getCurrentInstance().router?.params?.id ?? '');
  const { state, reload } = useLoader(
    useCallback(() => getMyFeedback(id), [id]),
    { blockedBy: ['FEEDBACK_NOT_FOUND'] },
  );
  const [message, setMessage] = useState('');
  const [rating, setRating] = useState(0);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState<'send' | 'rate' | null>(null);
  const [error, setError] = useState('');
  const keys = useRef(new PendingKeys()).current;

  if (state.kind !== 'ready')
    return (
      <View className='page feedback-detail'>
        <StateView
          status={state.kind === 'loading' ? 'loading' : state.kind === 'blocked' ? 'empty' : 'error'}
          idPrefix='feedback-detail'
          title={state.kind === 'blocked' ? '未找到该反馈' : undefined}
          message={state.kind === 'error' ? state.message : undefined}
          onRetry={state.kind === 'error' ? () => void reload(false) : undefined}
        />
      </View>
    );
  const c = state.data;

  const send = async () => {
    setError('');
    if (!message.trim()) return;
    setBusy('send');
    const words = message.trim();
    const action = `send:${words}`; // an edited message is another message, with a key of its own
    try {
      await addFeedbackMessage(c.id, words, keys.keyFor(action));
      keys.settle(action);
      setMessage('');
      await reload(true);
    } catch (failure) {
      keys.settle(action, failure);
      setError(messageOf(failure));
    } finally {
      setBusy(null);
    }
  };

  const rate = async () => {
    setError('');
    if (rating < 1) return setError('请选择评分');
    setBusy('rate');
    try {
      await rateFeedback(c.id, { rating, comment: comment.trim() || undefined });
      void Taro.showToast({ title: '感谢您的评价', icon: 'success' });
      await reload(true);
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(null);
    }
  };

  return (
    <View className='page feedback-detail'>
      <FeedbackThread c={c} />
      {c.status === 'resolved' ? (
        <View id='feedback-rate' className='feedback-detail__box'>
          <Text className='section-title'>对处理结果满意吗？</Text>
          <View className='feedback-detail__stars'>
            {[1, 2, 3, 4, 5].map((n) => (
              <Text
                key={n}
                id={`feedback-star-${n}`}
                className={`feedback-detail__star${n <= rating ? ' feedback-detail__star--on' : ''}`}
                onClick={() => setRating(n)}
              >
                {n <= rating ? '★' : '☆'}
              </Text>
            ))}
            <Text className='feedback-detail__word'>{RATING_WORDS[rating] ?? ''}</Text>
          </View>
          <Textarea
            id='feedback-rate-comment'
            className='feedback-detail__input'
            placeholder='说说您的感受（可选）'
            maxlength={200}
            value={comment}
            onInput={(event) => setComment(event.detail.value)}
          />
          <ActionButton id='feedback-rate-submit' className='primary-button' loading={busy === 'rate'} onClick={() => void rate()}>
            提交评价
          </ActionButton>
        </View>
      ) : null}
      {c.status === 'open' || c.status === 'responded' ? (
        <View className='feedback-detail__box'>
          <Textarea
            id='feedback-message'
            className='feedback-detail__input'
            placeholder='补充说明或回复客服'
            maxlength={500}
            value={message}
            onInput={(event) => setMessage(event.detail.value)}
          />
          <ActionButton id='feedback-message-send' className='primary-button' loading={busy === 'send'} onClick={() => void send()}>
            发送
          </ActionButton>
        </View>
      ) : null}
      {error ? (
        <Text id='feedback-detail-error' className='form-error'>
          {error}
        </Text>
      ) : null}
    </View>
  );
}
