import { useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import type { AdminMemberLookup, PointsAdjustmentView } from '@member/shared';
import { adjustPoints, lookupMember, messageOf, PendingKeys } from '../../api';
import ActionButton from '../../components/ActionButton';
import ChoiceChips from '../../components/ChoiceChips';
import '../feedback-case/index.scss';

const DIRECTIONS = [
  { value: 'add' as const, label: '增加积分' },
  { value: 'take' as const, label: '扣减积分' },
];

/** 积分调整 (HQ): find a member by 会员号 or mobile number, add or take points with a reason (audited, once per tap). */
export default function PointsAdjustPage() {
  const [query, setQuery] = useState('');
  const [member, setMember] = useState<AdminMemberLookup | null>(null);
  const [direction, setDirection] = useState<'add' | 'take'>('add');
  const [points, setPoints] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState<'find' | 'save' | null>(null);
  const [error, setError] = useState('');
  const [done, setDone] = useState<PointsAdjustmentView | null>(null);
  const keys = useRef(new PendingKeys()).current;

  const find = async () => {
    setError('');
    setDone(null);
    const q = query.trim();
    const byPhone = /^1\d{10}$/.test(q);
    if (!byPhone && !/^\d{1,10}$/.test(q)) return setError('请输入会员号或 11 位手机号');
    setBusy('find');
    try {
      setMember(await lookupMember(byPhone ? { phone: q } : { id: Number(q) }));
    } catch (failure) {
      setMember(null);
      setError(messageOf(failure));
    } finally {
      setBusy(null);
    }
  };

  const save = async () => {
    if (!member) return;
    setError('');
    const n = Number(points);
    if (!Number.isInteger(n) || n < 1) return setError('请填写积分数');
    if (reason.trim().length < 2) return setError('请填写调整原因');
    setBusy('save');
    try {
      const result = await adjustPoints({
        memberId: member.id,
        points: direction === 'add' ? n : -n,
        reason: reason.trim(),
        idempotencyKey: keys.keyFor(`adjust-${member.id}`),
      });
      keys.settle(`adjust-${member.id}`);
      setDone(result);
      setMember({ ...member, pointsBalance: result.balanceAfter });
      setPoints('');
      setReason('');
      void Taro.showToast({ title: '已调整', icon: 'success' });
    } catch (failure) {
      keys.settle(`adjust-${member.id}`, failure);
      setError(messageOf(failure));
    } finally {
      setBusy(null);
    }
  };

  return (
    <View className='page staff-case'>
      <View className='staff-case__box'>
        <Text className='section-title'>查找会员</Text>
        <Input
          id='adjust-query'
          className='staff-case__field'
          type='number'
          placeholder='会员号或手机号'
          value={query}
          onInput={(event) => setQuery(event.detail.value)}
        />
        <ActionButton id='adjust-find' className='primary-button' loading={busy === 'find'} onClick={() => void find()}>
          查找
        </ActionButton>
      </View>
      {member ? (
        <View id='adjust-member' className='staff-case__box'>
          <Text>
            {member.nickname ?? '会员'} · {member.phoneMasked ?? '未绑定手机'} · 会员号 {member.id}
          </Text>
          <Text>
            当前积分 <Text id='adjust-balance'>{member.pointsBalance}</Text>
          </Text>
          <ChoiceChips idPrefix='adjust-direction' options={DIRECTIONS} selected={direction} onSelect={setDirection} />
          <Input
            id='adjust-points'
            className='staff-case__field'
            type='number'
            placeholder='积分数'
            value={points}
            onInput={(event) => setPoints(event.detail.value)}
          />
          <Input
            id='adjust-reason'
            className='staff-case__field'
            placeholder='调整原因（必填，记入审计日志）'
            maxlength={200}
            value={reason}
            onInput={(event) => setReason(event.detail.value)}
          />
          <ActionButton id='adjust-save' className='primary-button' loading={busy === 'save'} onClick={() => void save()}>
            确认调整
          </ActionButton>
          {done ? (
            <Text id='adjust-done' className='staff-case__hint'>
              已{done.points > 0 ? '增加' : '扣减'} {Math.abs(done.points)} 积分，余额 {done.balanceAfter}
            </Text>
          ) : null}
        </View>
      ) : null}
      {error ? (
        <Text id='adjust-error' className='form-error'>
          {error}
        </Text>
      ) : null}
    </View>
  );
}
