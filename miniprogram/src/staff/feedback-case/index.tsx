import { useCallback, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, Text, Textarea, View } from '@tarojs/components';
import type { ResolveFeedbackRequest } from '@member/shared';
import { getGoodwillOptions, getStaffFeedback, messageOf, PendingKeys, replyFeedback, resolveFeedback } from '../../api';
import ActionButton from '../../components/ActionButton';
import ChoiceChips from '../../components/ChoiceChips';
import FeedbackThread from '../../components/FeedbackThread';
import StateView from '../../components/StateView';
import { useLoader } from '../../hooks/useLoader';
import { money } from '../../utils/pay';
import './index.scss';

type GoodwillChoice = 'none' | 'points' | 'coupon';
const GOODWILL_CHOICES = [
  { value: 'none' as const, label: '无补偿' },
  { value: 'points' as const, label: '补偿积分' },
  { value: 'coupon' as const, label: '补偿优惠券' },
];

/** One case for staff: the conversation, 回复, and 处理完成 with goodwill within my role's limit (with a reason). */
export default function StaffFeedbackCasePage() {
  const id = Number(Taro.getCurrentInstance().router?.params?.id ?? '');
  const { state, reload } = useLoader(
    useCallback(async () => {
      const [c, options] = await Promise.all([getStaffFeedback(id), getGoodwillOptions()]);
      return { c, options };
    }, [id]),
    { blockedBy: ['FEEDBACK_NOT_FOUND', 'STORE_NOT_YOURS', 'FORBIDDEN'] },
  );
  const [reply, setReply] = useState('');
  const [resolution, setResolution] = useState('');
  const [goodwill, setGoodwill] = useState<GoodwillChoice>('none');
  const [points, setPoints] = useState('');
  const [templateId, setTemplateId] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState<'reply' | 'resolve' | null>(null);
  const [error, setError] = useState('');
  const keys = useRef(new PendingKeys()).current;

  if (state.kind !== 'ready')
    return (
      <View className='page staff-case'>
        <StateView
          status={state.kind === 'loading' ? 'loading' : state.kind === 'blocked' ? 'empty' : 'error'}
          idPrefix='staff-case'
          title={state.kind === 'blocked' ? (state.code === 'STORE_NOT_YOURS' ? '这是其他门店的反馈' : '未找到该反馈') : undefined}
          message={state.kind === 'error' ? state.message : undefined}
          onRetry={state.kind === 'error' ? () => void reload(false) : undefined}
        />
      </View>
    );
  const { c, options } = state.data;
  const open = c.status === 'open' || c.status === 'responded';

  const sendReply = async () => {
    setError('');
    if (!reply.trim()) return setError('请填写回复内容');
    setBusy('reply');
    try {
      await replyFeedback(c.id, reply.trim(), keys.keyFor('reply'));
      keys.settle('reply');
      setReply('');
      await reload(true);
    } catch (failure) {
      keys.settle('reply', failure);
      setError(messageOf(failure));
    } finally {
      setBusy(null);
    }
  };

  const resolve = async () => {
    setError('');
    if (resolution.trim().length < 2) return setError('请填写处理结果');
    let gift: ResolveFeedbackRequest['goodwill'];
    if (goodwill !== 'none') {
      if (reason.trim().length < 2) return setError('请填写补偿原因');
      if (goodwill === 'points') {
        const n = Number(points);
        if (!Number.isInteger(n) || n < 1) return setError('请填写补偿积分');
        if (n > options.maxPoints) return setError(`您最多可补偿 ${options.maxPoints} 积分`);
        gift = { kind: 'points', points: n, reason: reason.trim() };
      } else {
        if (!templateId) return setError('请选择补偿的优惠券');
        gift = { kind: 'coupon', templateId: Number(templateId), reason: reason.trim() };
      }
    }
    setBusy('resolve');
    try {
      await resolveFeedback(c.id, { resolution: resolution.trim(), goodwill: gift, idempotencyKey: keys.keyFor('resolve') });
      keys.settle('resolve');
      void Taro.showToast({ title: '已处理', icon: 'success' });
      await reload(true);
    } catch (failure) {
      keys.settle('resolve', failure);
      setError(messageOf(failure));
    } finally {
      setBusy(null);
    }
  };

  return (
    <View className='page staff-case'>
      <FeedbackThread c={c} forStaff />
      {open ? (
        <View className='staff-case__box'>
          <Text className='section-title'>回复会员</Text>
          <Textarea
            id='case-reply'
            className='staff-case__input'
            placeholder='会员会在“意见反馈”中看到回复'
            maxlength={500}
            value={reply}
            onInput={(event) => setReply(event.detail.value)}
          />
          <ActionButton
            id='case-reply-send'
            className='primary-button'
            loading={busy === 'reply'}
            disabled={busy !== null || undefined}
            onClick={() => void sendReply()}
          >
            发送回复
          </ActionButton>
        </View>
      ) : null}
      {open ? (
        <View className='staff-case__box'>
          <Text className='section-title'>处理完成</Text>
          <Textarea
            id='case-resolution'
            className='staff-case__input'
            placeholder='处理结果，如：已为您退换商品'
            maxlength={500}
            value={resolution}
            onInput={(event) => setResolution(event.detail.value)}
          />
          <ChoiceChips idPrefix='case-goodwill' options={GOODWILL_CHOICES} selected={goodwill} onSelect={setGoodwill} />
          {goodwill === 'points' ? (
            <Input
              id='case-points'
              className='staff-case__field'
              type='number'
              placeholder={`补偿积分（最多 ${options.maxPoints}）`}
              value={points}
              onInput={(event) => setPoints(event.detail.value)}
            />
          ) : null}
          {goodwill === 'coupon' ? (
            options.coupons.length === 0 ? (
              <Text className='staff-case__hint'>没有您可发放的优惠券（面值上限 {money(options.maxCouponFaceFen)}）</Text>
            ) : (
              <ChoiceChips
                idPrefix='case-coupon'
                options={options.coupons.map((t) => ({ value: String(t.templateId), label: `${t.name}（${money(t.faceFen)}）` }))}
                selected={templateId}
                onSelect={setTemplateId}
              />
            )
          ) : null}
          {goodwill !== 'none' ? (
            <Input
              id='case-reason'
              className='staff-case__field'
              placeholder='补偿原因（必填，记入审计日志）'
              maxlength={200}
              value={reason}
              onInput={(event) => setReason(event.detail.value)}
            />
          ) : null}
          <ActionButton
            id='case-resolve'
            className='primary-button'
            loading={busy === 'resolve'}
            disabled={busy !== null || undefined}
            onClick={() => void resolve()}
          >
            处理完成
          </ActionButton>
        </View>
      ) : null}
      {error ? (
        <Text id='case-error' className='form-error'>
          {error}
        </Text>
      ) : null}
    </View>
  );
}
