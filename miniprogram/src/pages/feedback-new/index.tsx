import { useCallback, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Image, Text, Textarea, View } from '@tarojs/components';
import {
  FEEDBACK_KIND_LABELS,
  SubscribeMoment,
  type FeedbackCategory,
  type FeedbackKind,
  type FeedbackPhotoUploaded,
} from '@member/shared';
import { createFeedback, getFeedbackOptions, listMyOrders, messageOf, PendingKeys, uploadFeedbackPhoto } from '../../api';
import { mediaUrl } from '../../api/http';
import ActionButton from '../../components/ActionButton';
import ChoiceChips from '../../components/ChoiceChips';
import StateView from '../../components/StateView';
import { useLoader } from '../../hooks/useLoader';
import { businessDateTime } from '../../utils/dates';
import { replacePage } from '../../utils/navigation';
import { money } from '../../utils/pay';
import { askAtMoment, warmMessagePreferences } from '../../utils/subscribe';
import './index.scss';

const KIND_OPTIONS = (['complaint', 'feedback'] as FeedbackKind[]).map((value) => ({ value, label: FEEDBACK_KIND_LABELS[value] }));
const NO_ORDER = 'none';

async function fetchForm() {
  void warmMessagePreferences();
  const [options, orders] = await Promise.all([getFeedbackOptions(), listMyOrders()]);
  return { options, orders: orders.orders.slice(0, 5) };
}

/** 提交反馈: kind, category, an optional order of mine, what happened, up to N photos. */
export default function FeedbackNewPage() {
  const { state, reload } = useLoader(useCallback(fetchForm, []), { refreshOnShow: false, blockedBy: ['MEMBER_NOT_JOINED'] });
  const [kind, setKind] = useState<FeedbackKind>('complaint');
  const [category, setCategory] = useState<FeedbackCategory | null>(null);
  const [orderRef, setOrderRef] = useState<string>(NO_ORDER);
  const [text, setText] = useState('');
  const [photos, setPhotos] = useState<FeedbackPhotoUploaded[]>([]);
  const [uploading, setUploading] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState('');
  const keys = useRef(new PendingKeys()).current;

  if (state.kind !== 'ready')
    return (
      <View className='page feedback-new'>
        <StateView
          status={state.kind === 'loading' ? 'loading' : state.kind === 'blocked' ? 'empty' : 'error'}
          idPrefix='feedback-new'
          title={state.kind === 'blocked' ? '开通会员后可提交反馈' : undefined}
          message={state.kind === 'error' ? state.message : undefined}
          onRetry={() => void reload(false)}
        />
      </View>
    );
  const { options, orders } = state.data;

  const addPhoto = async () => {
    setError('');
    let paths: string[];
    try {
      const picked = await Taro.chooseImage({
        count: options.maxPhotos - photos.length,
        sizeType: ['compressed'],
        sourceType: ['album', 'camera'],
      });
      paths = picked.tempFilePaths;
    } catch {
      return; // closed without choosing
    }
    setUploading(true);
    try {
      for (const path of paths.slice(0, options.maxPhotos - photos.length)) {
        const uploaded = await uploadFeedbackPhoto(path);
        setPhotos((current) => [...current, uploaded]);
      }
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setUploading(false);
    }
  };

  const submit = async () => {
    setError('');
    if (!category) return setError('请选择问题类型');
    if (text.trim().length < 5) return setError('请至少用 5 个字描述问题');
    // Still inside the tap (WeChat's rule): offer 服务进度提醒; submitting does not wait for the answer.
    void askAtMoment(SubscribeMoment.FeedbackRaised);
    setSaving(true);
    const asked = { kind, category, orderRef: orderRef === NO_ORDER ? undefined : orderRef, text: text.trim() };
    // Keyed by what is asked: a retry of the same case keeps its key, an edited one is a new case (the server
    // refuses a key reused for other content).
    const action = `create:${JSON.stringify(asked)}`;
    try {
      const made = await createFeedback({ ...asked, photoIds: photos.map((p) => p.id), idempotencyKey: keys.keyFor(action) });
      keys.settle(action);
      void Taro.showToast({ title: '已提交', icon: 'success' });
      replacePage(`/pages/feedback-detail/index?id=${made.id}`);
    } catch (failure) {
      keys.settle(action, failure);
      setError(messageOf(failure));
    } finally {
      setSaving(false);
    }
  };

  const orderOptions = [
    { value: NO_ORDER, label: '不关联订单' },
    ...orders.map((o) => ({ value: o.ref, label: `${o.storeName} ${money(o.paidFen)} · ${businessDateTime(o.at).slice(5)}` })),
  ];
  return (
    <View className='page feedback-new'>
      <Text className='section-title'>反馈类型</Text>
      <ChoiceChips idPrefix='fb-kind' options={KIND_OPTIONS} selected={kind} disabled={saving} onSelect={setKind} />
      <Text className='section-title'>问题类型</Text>
      <ChoiceChips
        idPrefix='fb-category'
        options={options.categories.map((c) => ({ value: c.code, label: c.label }))}
        selected={category ?? ''}
        disabled={saving}
        onSelect={(value) => setCategory(value as FeedbackCategory)}
      />
      <Text className='section-title'>关联订单（可选）</Text>
      <ChoiceChips idPrefix='fb-order' options={orderOptions} selected={orderRef} disabled={saving} onSelect={setOrderRef} />
      <Text className='section-title'>问题描述</Text>
      <Textarea
        id='fb-text'
        className='feedback-new__text'
        placeholder='请描述遇到的问题，如时间、门店、商品'
        maxlength={options.maxTextChars}
        value={text}
        disabled={saving}
        onInput={(event) => setText(event.detail.value)}
      />
      <Text className='feedback-new__count'>
        {text.length}/{options.maxTextChars}
      </Text>
      <Text className='section-title'>图片（可选，最多 {options.maxPhotos} 张）</Text>
      <View className='feedback-new__photos'>
        {photos.map((p) => (
          <Image key={p.id} className='feedback-new__photo' src={mediaUrl(p.url)} mode='aspectFill' />
        ))}
        {photos.length < options.maxPhotos ? (
          <View id='fb-photo-add' className='feedback-new__photo feedback-new__photo--add' onClick={() => void addPhoto()}>
            <Text>{uploading ? '上传中…' : '+'}</Text>
          </View>
        ) : null}
      </View>
      {error ? (
        <Text id='fb-error' className='form-error'>
          {error}
        </Text>
      ) : null}
      <ActionButton
        id='fb-submit'
        className='primary-button'
        loading={saving}
        disabled={uploading || undefined}
        onClick={() => void submit()}
      >
        提交
      </ActionButton>
    </View>
  );
}
