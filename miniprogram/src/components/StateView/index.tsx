import { Text, View } from '@tarojs/components';
import ActionButton from '../ActionButton';
import './index.scss';

export type StateViewStatus = 'loading' | 'empty' | 'error';

export interface StateViewProps {
  status: StateViewStatus;
  /** Headline; defaults per status. */
  title?: string;
  /** Second line: the error message from the server, or a hint. */
  message?: string;
  /** Shown as a button for `error` (and for `empty` when given). */
  onRetry?: () => void;
  retryText?: string;
  /** Element ids are `${idPrefix}-loading|empty|error` and `${idPrefix}-retry`, for browser tests. */
  idPrefix?: string;
  /** Smaller, for a block inside a page rather than a whole page. */
  compact?: boolean;
}

const DEFAULT_TITLES: Record<StateViewStatus, string> = {
  loading: '加载中…',
  empty: '暂无内容',
  error: '加载失败',
};

/** The one loading / empty / error view every page uses, so the three states look the same everywhere. */
export default function StateView({
  status,
  title,
  message,
  onRetry,
  retryText = '重新加载',
  idPrefix = 'state',
  compact = false,
}: StateViewProps) {
  const showRetry = Boolean(onRetry) && status !== 'loading';
  return (
    <View id={`${idPrefix}-${status}`} className={`state-view state-view--${status}${compact ? ' state-view--compact' : ''}`}>
      {status === 'loading' ? (
        <View className='state-view__spinner' />
      ) : (
        <View className='state-view__icon'>
          <Text>{status === 'error' ? '!' : '∅'}</Text>
        </View>
      )}
      <Text className='state-view__title'>{title ?? DEFAULT_TITLES[status]}</Text>
      {message ? <Text className='state-view__message'>{message}</Text> : null}
      {showRetry ? (
        <ActionButton id={`${idPrefix}-retry`} className='state-view__retry' onClick={onRetry}>
          {retryText}
        </ActionButton>
      ) : null}
    </View>
  );
}
