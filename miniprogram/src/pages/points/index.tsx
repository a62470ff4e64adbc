import { useCallback, useState } from 'react';
import { Text, View } from '@tarojs/components';
import ActionButton from '../../components/ActionButton';
import { FEN_PER_POINT, formatFen, type PointsHistoryLine, type PointsResponse } from '@member/shared';
import { ensureSession, getPoints, messageOf } from '../../api';
import StateView from '../../components/StateView';
import { useLoader } from '../../hooks/useLoader';
import { businessDate, businessDateTime } from '../../utils/dates';
import { openPage } from '../../utils/navigation';
import './index.scss';

async function firstPage(): Promise<PointsResponse> {
  await ensureSession();
  return getPoints();
}

/** Balance, what expires when, and every line of the ledger: why, when, how many, balance after. */
export default function PointsPage() {
  const { state, reload, update } = useLoader(firstPage, { blockedBy: ['MEMBER_NOT_JOINED'] });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState('');

  const loadMore = useCallback(async () => {
    if (state.kind !== 'ready' || state.data.nextBefore === null) return;
    setLoadingMore(true);
    setMoreError('');
    try {
      const page = await getPoints(state.data.nextBefore);
      update((data) => ({ ...data, lines: [...data.lines, ...page.lines], nextBefore: page.nextBefore }));
    } catch (error) {
      setMoreError(messageOf(error));
    } finally {
      setLoadingMore(false);
    }
  }, [state, update]);

  if (state.kind === 'loading') {
    return (
      <View className='page points-page'>
        <StateView status='loading' idPrefix='points-page' title='正在加载积分…' />
      </View>
    );
  }
  if (state.kind === 'error') {
    return (
      <View className='page points-page'>
        <StateView status='error' idPrefix='points-page' title='积分加载失败' message={state.message} onRetry={() => void reload(false)} />
      </View>
    );
  }
  if (state.kind === 'blocked') {
    return (
      <View className='page points-page'>
        <StateView
          status='empty'
          idPrefix='points-page'
          title='开通会员后即可积分'
          message='消费得积分，积分可抵现、兑换优惠券'
          retryText='开通会员'
          onRetry={() => openPage('/pages/join/index')}
        />
      </View>
    );
  }

  const { balance, expiring, lines, nextBefore } = state.data;
  return (
    <View className='page points-page'>
      <View className='points-hero'>
        <Text className='points-hero__label'>当前积分</Text>
        <Text id='points-balance' className='points-hero__value'>
          {balance}
        </Text>
        <Text className='points-hero__hint'>100 积分可抵 {formatFen(100 * FEN_PER_POINT)}</Text>
        {expiring.length > 0 ? (
          <Text id='points-expiring' className='points-hero__expiring'>
            {expiring[0].points} 积分将于 {businessDate(expiring[0].expiresAt)} 过期
          </Text>
        ) : null}
      </View>

      <View id='goto-points-shop' className='link-row' onClick={() => openPage('/pages/points-shop/index')}>
        <Text>积分商城：用积分兑换优惠券</Text>
        <Text className='link-row__arrow'>›</Text>
      </View>

      <View className='section'>
        <Text className='section-title'>积分明细</Text>
        {lines.length === 0 ? (
          <StateView status='empty' idPrefix='points-page' compact title='还没有积分记录' message='到店消费出示会员码即可积分' />
        ) : (
          lines.map((line) => <HistoryLine key={line.id} line={line} />)
        )}
        {nextBefore !== null ? (
          <ActionButton
            id='points-more'
            className='ghost-button points-page__more'
            loading={loadingMore}
            disabled={loadingMore || undefined}
            onClick={() => void loadMore()}
          >
            加载更多
          </ActionButton>
        ) : null}
        {moreError ? <Text className='form-error'>{moreError}</Text> : null}
      </View>
    </View>
  );
}

function HistoryLine({ line }: { line: PointsHistoryLine }) {
  return (
    <View id={`points-line-${line.id}`} className='points-line'>
      <View className='points-line__main'>
        <Text className='points-line__title'>{line.title}</Text>
        <Text className='points-line__meta'>
          {businessDateTime(line.at)}
          {line.expiresAt ? ` · ${businessDate(line.expiresAt)} 过期` : ''}
        </Text>
      </View>
      <View className='points-line__side'>
        <Text className={`points-line__delta points-line__delta--${line.delta > 0 ? 'plus' : 'minus'}`}>
          {line.delta > 0 ? `+${line.delta}` : line.delta}
        </Text>
        <Text className='points-line__meta'>余额 {line.balanceAfter}</Text>
      </View>
    </View>
  );
}
