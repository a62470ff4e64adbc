import { useCallback, useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import { Form, Input, Text, View } from '@tarojs/components';
import ActionButton from '../../components/ActionButton';
import { compareCalendarDates, ERRORS, parseCalendarDate, SubscribeMoment, type MemberProfile } from '@member/shared';
import { getMemberCard, isApiError, messageOf, setBirthday, updateProfile, uploadAvatar } from '../../api';
import StateView from '../../components/StateView';
import AvatarPicker from '../../platform/AvatarPicker';
import BirthdayField from '../../platform/BirthdayField';
import platform from '../../platform';
import { formatChineseDate, todayOnDevice } from '../../utils/dates';
import { askAtMoment, warmMessagePreferences } from '../../utils/subscribe';
import './index.scss';

type PageState =
  { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'not-joined' } | { kind: 'ready'; member: MemberProfile };

const NICKNAME_MAX = 20;

export default function ProfilePage() {
  const [state, setState] = useState<PageState>({ kind: 'loading' });
  const [nickname, setNickname] = useState('');
  const [birthday, setBirthdayValue] = useState('');
  const [savingProfile, setSavingProfile] = useState(false);
  const [savingBirthday, setSavingBirthday] = useState(false);
  const [profileError, setProfileError] = useState('');
  const [birthdayError, setBirthdayError] = useState('');

  const show = (member: MemberProfile) => {
    setState({ kind: 'ready', member });
    setNickname(member.nickname ?? '');
    setBirthdayValue(member.birthday ?? '');
  };

  const load = useCallback(async (quiet = false) => {
    if (!quiet) setState({ kind: 'loading' });
    try {
      const card = await getMemberCard();
      if (!card.member.joined) setState({ kind: 'not-joined' });
      else {
        show(card.member);
        // Ready before 保存生日, which offers the birthday greeting inside the tap.
        if (!card.member.birthdayLockedUntil) void warmMessagePreferences().catch(() => undefined);
      }
    } catch (failure) {
      if (isApiError(failure) && failure.code === 'MEMBER_NOT_JOINED') setState({ kind: 'not-joined' });
      else if (!quiet) setState({ kind: 'error', message: messageOf(failure) });
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  if (state.kind === 'loading') {
    return (
      <View className='page profile-page'>
        <StateView status='loading' idPrefix='profile-page' />
      </View>
    );
  }
  if (state.kind === 'error') {
    return (
      <View className='page profile-page'>
        <StateView status='error' idPrefix='profile-page' title='资料加载失败' message={state.message} onRetry={() => void load()} />
      </View>
    );
  }
  if (state.kind === 'not-joined') {
    return (
      <View className='page profile-page'>
        <StateView
          status='empty'
          idPrefix='profile-page'
          title='还不是会员'
          message={ERRORS.MEMBER_NOT_JOINED.message}
          retryText='去开通'
          onRetry={() => void Taro.redirectTo({ url: '/pages/join/index' })}
        />
      </View>
    );
  }

  const { member } = state;
  const locked = member.birthdayLockedUntil;

  /**
   * WeChat checks a type="nickname" input when it loses focus and clears it if the check fails, and fills in its
   * keyboard suggestion without an input event: the page's own copy may lag. So the value saved is the one the
   * form submits, read at submit time, and the button does not wait for the copy to say something changed.
   */
  const saveNickname = async (submitted: string) => {
    if (savingProfile) return;
    const trimmedNickname = submitted.trim();
    setNickname(submitted);
    if (!trimmedNickname) {
      setProfileError('请填写昵称');
      return;
    }
    setProfileError('');
    if (trimmedNickname === (member.nickname ?? '')) return;
    setSavingProfile(true);
    try {
      await updateProfile({ nickname: trimmedNickname.slice(0, NICKNAME_MAX) });
      void Taro.showToast({ title: '昵称已保存', icon: 'success' });
      await load(true);
    } catch (failure) {
      setProfileError(messageOf(failure));
    } finally {
      setSavingProfile(false);
    }
  };

  const saveAvatar = async (picked: { kind: 'file' | 'url'; value: string }) => {
    setProfileError('');
    setSavingProfile(true);
    try {
      if (picked.kind === 'file') await uploadAvatar(picked.value);
      else await updateProfile({ avatarUrl: picked.value });
      void Taro.showToast({ title: '头像已更新', icon: 'success' });
      await load(true);
    } catch (failure) {
      setProfileError(messageOf(failure));
    } finally {
      setSavingProfile(false);
    }
  };

  const saveBirthday = async () => {
    setBirthdayError('');
    const today = todayOnDevice();
    if (!parseCalendarDate(birthday) || compareCalendarDates(birthday, today) > 0) {
      setBirthdayError(ERRORS.BIRTHDAY_INVALID.message);
      return;
    }
    // Still inside the tap (WeChat's rule): offer the birthday greeting; saving does not wait for the answer.
    void askAtMoment(SubscribeMoment.BirthdaySet);
    setSavingBirthday(true);
    try {
      await setBirthday({ birthday });
      void Taro.showToast({ title: '生日已保存', icon: 'success' });
      await load(true);
    } catch (failure) {
      setBirthdayError(messageOf(failure));
    } finally {
      setSavingBirthday(false);
    }
  };

  return (
    <View className='page profile-page'>
      <View className='section profile-page__avatar'>
        <AvatarPicker avatarUrl={member.avatarUrl} disabled={savingProfile} onPick={(picked) => void saveAvatar(picked)} />
        {member.phoneMasked ? <Text className='profile-page__phone'>手机号 {member.phoneMasked}</Text> : null}
      </View>

      <View className='section'>
        <Text className='section-title'>昵称</Text>
        <Form
          onSubmit={(event) => {
            // weapp hands over the field's value here; a build whose form does not collect it falls back to the copy.
            const submitted = (event.detail.value as { nickname?: unknown } | undefined)?.nickname;
            void saveNickname(typeof submitted === 'string' ? submitted : nickname);
          }}
        >
          {/* The row is a View: Taro's H5 form wraps its children in an inner <form> no class reaches. */}
          <View className='profile-page__row'>
            <Input
              id='profile-nickname'
              name='nickname'
              className='profile-page__input'
              type='nickname'
              placeholder='请输入昵称'
              maxlength={NICKNAME_MAX}
              value={nickname}
              onInput={(event) => {
                setNickname(event.detail.value);
                // The error goes as soon as the field is being fixed, not at the next save.
                if (event.detail.value.trim()) setProfileError('');
              }}
              // WeChat fills the nickname in from its keyboard suggestion without an input event on some clients.
              onBlur={(event) => setNickname(event.detail.value)}
            />
            <ActionButton
              id='profile-save'
              className='profile-page__save'
              // weapp: the form hands over what WeChat's nickname field really holds. The H5 form does not submit
              // from Taro's button, and its field's copy is exact (no WeChat check behind it): save from the copy.
              formType={platform.name === 'weapp' ? 'submit' : undefined}
              onClick={platform.name === 'weapp' ? undefined : () => void saveNickname(nickname)}
              loading={savingProfile}
              disabled={savingProfile || undefined}
            >
              保存
            </ActionButton>
          </View>
        </Form>
        {profileError ? (
          <Text id='profile-error' className='form-error'>
            {profileError}
          </Text>
        ) : null}
      </View>

      <View id='birthday-section' className='section'>
        <Text className='section-title'>生日</Text>
        <BirthdayField
          value={birthday}
          end={todayOnDevice()}
          disabled={Boolean(locked) || savingBirthday}
          onChange={(value) => {
            setBirthdayValue(value);
            // Cleared once the date is a real one again, so a stale red line never sits under a fixed field.
            if (parseCalendarDate(value) && compareCalendarDates(value, todayOnDevice()) <= 0) setBirthdayError('');
          }}
        />
        {locked ? (
          <Text id='birthday-locked' className='profile-page__rule profile-page__rule--locked'>
            下次可修改日期：{formatChineseDate(locked)}
          </Text>
        ) : (
          <Text id='birthday-rule' className='profile-page__rule'>
            生日设置后一年内只能修改一次，请确认无误后保存。生日月可享专属礼遇。
          </Text>
        )}
        <ActionButton
          id='birthday-save'
          className='primary-button profile-page__birthday-save'
          loading={savingBirthday}
          disabled={Boolean(locked) || savingBirthday || !birthday || birthday === (member.birthday ?? '') || undefined}
          onClick={() => void saveBirthday()}
        >
          {member.birthday ? '修改生日' : '保存生日'}
        </ActionButton>
        {birthdayError ? (
          <Text id='birthday-error' className='form-error'>
            {birthdayError}
          </Text>
        ) : null}
      </View>
    </View>
  );
}
