import { Image, Text, View } from '@tarojs/components';
import type { FeedbackCaseView } from '@member/shared';
import { mediaUrl } from '../../api/http';
import { businessDateTime } from '../../utils/dates';
import { dueText, feedbackStatus, feedbackTitle, goodwillText, RATING_WORDS } from '../../utils/feedback';
import './index.scss';

/**
 * One case as both sides see it: what was raised (with photos), the conversation, the resolution and goodwill,
 * and the member's rating. `forStaff` adds the channel, store and first-response deadline.
 */
export default function FeedbackThread({ c, forStaff = false }: { c: FeedbackCaseView; forStaff?: boolean }) {
  const status = feedbackStatus(c, forStaff);
  const goodwill = goodwillText(c.goodwill);
  return (
    <View id='feedback-thread' className='feedback-thread'>
      <View className='feedback-thread__card'>
        <View className='feedback-thread__head'>
          <Text className='feedback-thread__title'>{feedbackTitle(c)}</Text>
          <Text id='feedback-status' className={`feedback-chip feedback-chip--${status.tone}`}>
            {status.text}
          </Text>
        </View>
        <Text className='feedback-thread__text'>{c.text}</Text>
        {c.photoUrls.length > 0 ? (
          <View className='feedback-thread__photos'>
            {c.photoUrls.map((url) => (
              <Image key={url} className='feedback-thread__photo' src={mediaUrl(url)} mode='aspectFill' />
            ))}
          </View>
        ) : null}
        <Text className='feedback-thread__meta'>
          {businessDateTime(c.createdAt)}
          {c.orderRef ? ` · 关联订单 ${c.orderRef}` : ''}
          {forStaff
            ? ` · ${c.channel === 'store' ? `门店登记 ${c.storeCode ?? ''}` : `线上${c.storeCode ? ` · ${c.storeCode}` : ''}`}`
            : ''}
        </Text>
        {forStaff ? (
          <Text id='feedback-due' className={`feedback-thread__due${c.overdue ? ' feedback-thread__due--late' : ''}`}>
            {dueText(c)}
          </Text>
        ) : null}
      </View>

      <Text className='section-title'>沟通记录</Text>
      {c.messages.length === 0 ? (
        <Text id='feedback-no-messages' className='feedback-thread__empty'>
          {forStaff ? '还没有回复，请尽快联系会员' : '我们已收到您的反馈，会尽快回复您'}
        </Text>
      ) : (
        <View id='feedback-messages' className='feedback-thread__messages'>
          {c.messages.map((m) => (
            <View key={m.id} className={`feedback-bubble feedback-bubble--${m.author}`}>
              <Text className='feedback-bubble__who'>{m.author === 'staff' ? '客服回复' : forStaff ? '会员' : '我'}</Text>
              <Text className='feedback-bubble__body'>{m.body}</Text>
              <Text className='feedback-bubble__at'>{businessDateTime(m.at)}</Text>
            </View>
          ))}
        </View>
      )}

      {c.resolution ? (
        <View id='feedback-resolution' className='feedback-thread__card feedback-thread__resolution'>
          <Text className='feedback-thread__label'>处理结果</Text>
          <Text>{c.resolution}</Text>
          {goodwill ? (
            <Text id='feedback-goodwill' className='feedback-thread__goodwill'>
              {goodwill}
            </Text>
          ) : null}
          {forStaff && c.goodwill ? <Text className='feedback-thread__meta'>补偿原因：{c.goodwill.reason}</Text> : null}
        </View>
      ) : null}

      {c.rating ? (
        <View id='feedback-rating' className='feedback-thread__card'>
          <Text className='feedback-thread__label'>会员评价</Text>
          <Text className='feedback-thread__stars'>
            {'★'.repeat(c.rating)}
            {'☆'.repeat(5 - c.rating)} {RATING_WORDS[c.rating]}
          </Text>
          {c.ratingComment ? <Text>{c.ratingComment}</Text> : null}
        </View>
      ) : null}
    </View>
  );
}
