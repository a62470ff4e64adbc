import type { ReactNode } from 'react';
import { Text, View } from '@tarojs/components';
import { RFM_SEGMENT_LABELS, type MessageKind } from '@member/shared';
import type { AudiencePreviewState } from '../../hooks/useAudiencePreview';
import { LIFECYCLE_STATUS_NAMES, MESSAGE_KIND_TITLES, reachShare } from '../../utils/audience';
import { TIER_NAMES } from '../../utils/coupons';
import { businessDateTime } from '../../utils/dates';
import './index.scss';

export interface AudiencePreviewProps {
  preview: AudiencePreviewState;
  /** The message the reachable count is for (null: none chosen). */
  messageKind: MessageKind | null;
  /** The masked sample and the RFM line (the audience builder); the campaign form shows only the numbers. */
  detailed?: boolean;
  /** A problem with the filter itself (a wrong number): the numbers are for the last filter that read. */
  invalid?: boolean;
  /** Extra content under the RFM line (the builder's refresh button). */
  children?: ReactNode;
  /** The status line when no message is chosen (a form asks to choose one; a saved draft just has none). */
  noMessageText?: string;
}

/**
 * The audience's size and how many of it the chosen message could reach now (`#audience-size`,
 * `#audience-reachable`, `#audience-reach-share`), with a masked sample and the age of the RFM data.
 */
export default function AudiencePreview({
  preview,
  messageKind,
  detailed = false,
  invalid = false,
  children,
  noMessageText = '选择消息类型后显示可触达人数',
}: AudiencePreviewProps) {
  const { data, loading, error } = preview;
  // The numbers on screen answer the question asked; while the kind just changed they would mislead.
  const reachable = data && messageKind !== null && data.messageKind === messageKind ? data.reachable : null;
  const status = invalid ? '条件有误，请修改' : loading ? '计算中…' : error ? '' : data ? '已是最新' : '';
  return (
    <View id='audience-preview' className={`audience-preview${loading ? ' audience-preview--loading' : ''}`}>
      <View className='audience-preview__numbers'>
        <View className='audience-preview__cell'>
          <Text id='audience-size' className='audience-preview__value'>
            {data ? data.size : '—'}
          </Text>
          <Text className='audience-preview__label'>目标人数</Text>
        </View>
        <View className='audience-preview__cell'>
          <Text id='audience-reachable' className='audience-preview__value'>
            {reachable ?? '—'}
          </Text>
          <Text className='audience-preview__label'>可触达</Text>
        </View>
        <View className='audience-preview__cell'>
          <Text id='audience-reach-share' className='audience-preview__value audience-preview__value--small'>
            {data && reachable !== null ? reachShare(data.size, reachable) : '—'}
          </Text>
          <Text className='audience-preview__label'>触达率</Text>
        </View>
      </View>
      <Text id='audience-preview-status' className='audience-preview__status'>
        {messageKind === null
          ? `${noMessageText}${status ? ` · ${status}` : ''}`
          : `可触达：还能收到「${MESSAGE_KIND_TITLES[messageKind]}」且未关闭该消息的会员${status ? ` · ${status}` : ''}`}
      </Text>
      {error ? (
        <Text id='audience-preview-error' className='form-error'>
          {error}
        </Text>
      ) : null}

      {detailed && data ? (
        <>
          <View id='audience-sample' className='audience-preview__sample'>
            <Text className='audience-preview__sample-title'>部分会员（已隐去个人信息）</Text>
            {data.sample.length === 0 ? (
              <Text className='audience-preview__empty'>没有符合条件的会员</Text>
            ) : (
              data.sample.map((member) => (
                <View key={member.memberId} id={`audience-sample-${member.memberId}`} className='audience-preview__member'>
                  <Text className='audience-preview__who'>
                    {[member.nicknameMasked ?? '未设昵称', member.phoneMasked].filter(Boolean).join(' · ')}
                  </Text>
                  <Text className='audience-preview__tags'>
                    {[
                      TIER_NAMES[member.tier] ?? member.tier,
                      LIFECYCLE_STATUS_NAMES[member.lifecycleStatus] ?? member.lifecycleStatus,
                      member.rfmSegment ? RFM_SEGMENT_LABELS[member.rfmSegment] : '待刷新',
                    ].join(' · ')}
                  </Text>
                </View>
              ))
            )}
          </View>
          <Text id='audience-rfm-at' className='audience-preview__rfm'>
            {data.rfmComputedAt
              ? `分层数据更新于 ${businessDateTime(data.rfmComputedAt)}`
              : '尚未计算分层数据：RFM 分层和近12个月消费条件暂时匹配不到会员'}
            {data.usesRfmData && data.rfmComputedAt ? '（本次条件用到了分层数据，之后加入的会员暂不计入）' : ''}
          </Text>
        </>
      ) : null}
      {children}
    </View>
  );
}
