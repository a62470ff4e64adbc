import { Text, View } from '@tarojs/components';
import ActionButton from '../ActionButton';
import CodeImages from '../CodeImages';
import StateView from '../StateView';
import './index.scss';

export type MemberCodeStatus = 'loading' | 'ready' | 'error';

export interface MemberCodeProps {
  /** The rotating code from GET /api/members/me/code; null before the first one arrived. */
  code: string | null;
  status: MemberCodeStatus;
  /** Seconds until the next automatic refresh. */
  secondsLeft?: number;
  /** True while a new code is being fetched but an older one is still on screen. */
  refreshing?: boolean;
  errorMessage?: string;
  onRefresh: () => void;
  title?: string;
}

/** Barcode (CODE128) + QR of the member code, the digits in groups of 4, and the refresh countdown. */
export default function MemberCode({
  code,
  status,
  secondsLeft = 0,
  refreshing = false,
  errorMessage,
  onRefresh,
  title = '会员码',
}: MemberCodeProps) {
  return (
    <View id='member-code' className='member-code'>
      <View className='member-code__head'>
        <Text className='member-code__title'>{title}</Text>
        <Text className='member-code__hint'>向店员出示，用于积分和核销</Text>
      </View>

      {status === 'error' && !code ? (
        <StateView status='error' idPrefix='member-code' compact title='会员码加载失败' message={errorMessage} onRetry={onRefresh} />
      ) : !code ? (
        <StateView status='loading' idPrefix='member-code' compact title='正在生成会员码…' />
      ) : (
        <View className={`member-code__body${refreshing ? ' member-code__body--refreshing' : ''}`}>
          <CodeImages code={code} idPrefix='member-code' subject='会员' />
          <View className='member-code__foot'>
            <Text id='member-code-countdown' className='member-code__countdown'>
              {status === 'error' ? (errorMessage ?? '刷新失败') : refreshing ? '正在刷新…' : `${secondsLeft} 秒后自动刷新`}
            </Text>
            <ActionButton id='member-code-refresh' className='member-code__refresh' onClick={onRefresh} disabled={refreshing || undefined}>
              刷新
            </ActionButton>
          </View>
        </View>
      )}
    </View>
  );
}
