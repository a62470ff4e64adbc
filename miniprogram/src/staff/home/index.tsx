import { useCallback, useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import ActionButton from '../../components/ActionButton';
import { StaffRole, type StaffMemberView, type StaffProfile } from '@member/shared';
import { getStaffProfile, isApiError, messageOf, verifyMemberCode } from '../../api';
import StateView from '../../components/StateView';
import platform from '../../platform';
import './index.scss';

type PageState = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'not-staff' } | { kind: 'ready'; staff: StaffProfile };

const ROLE_NAMES: Record<StaffRole, string> = {
  [StaffRole.Clerk]: '店员',
  [StaffRole.StoreManager]: '店长',
  [StaffRole.Admin]: '管理员',
};

const NOT_STAFF_MESSAGE = '仅限门店员工使用';

/** FORBIDDEN on a staff endpoint means this WeChat account is not on the staff list. */
function isNotStaff(error: unknown): boolean {
  return isApiError(error) && error.code === 'FORBIDDEN';
}

export default function StaffHomePage() {
  const [state, setState] = useState<PageState>({ kind: 'loading' });
  const [input, setInput] = useState('');
  const [verifying, setVerifying] = useState(false);
  const [member, setMember] = useState<StaffMemberView | null>(null);
  // The code that identified the member: the purchase page records against it (it stays valid ~75 s).
  const [verifiedCode, setVerifiedCode] = useState('');
  const [error, setError] = useState('');

  const load = useCallback(async () => {
    setState({ kind: 'loading' });
    try {
      setState({ kind: 'ready', staff: await getStaffProfile() });
    } catch (failure) {
      setState(isNotStaff(failure) ? { kind: 'not-staff' } : { kind: 'error', message: messageOf(failure) });
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const verify = async (raw: string) => {
    const code = raw.replace(/\s+/g, '');
    setError('');
    if (!code) {
      setError('请输入会员码');
      return;
    }
    setVerifying(true);
    setMember(null);
    try {
      setMember(await verifyMemberCode({ code }));
      setVerifiedCode(code);
      setInput('');
    } catch (failure) {
      setError(isNotStaff(failure) ? NOT_STAFF_MESSAGE : messageOf(failure));
    } finally {
      setVerifying(false);
    }
  };

  const scan = async () => {
    setError('');
    try {
      const scanned = await platform.scanCode();
      if (scanned) await verify(scanned);
    } catch (failure) {
      setError(messageOf(failure, '扫码失败，请手动输入会员码'));
    }
  };

  if (state.kind === 'loading') {
    return (
      <View className='page staff-page'>
        <StateView status='loading' idPrefix='staff-page' />
      </View>
    );
  }
  if (state.kind === 'error') {
    return (
      <View className='page staff-page'>
        <StateView status='error' idPrefix='staff-page' message={state.message} onRetry={() => void load()} />
      </View>
    );
  }
  if (state.kind === 'not-staff') {
    return (
      <View className='page staff-page'>
        <StateView
          status='empty'
          idPrefix='staff-page'
          title={NOT_STAFF_MESSAGE}
          message='当前微信账号不在门店员工名单中，如需开通请联系门店管理员'
          retryText='返回会员卡'
          onRetry={() => void Taro.reLaunch({ url: '/pages/card/index' })}
        />
      </View>
    );
  }

  const { staff } = state;
  return (
    <View className='page staff-page'>
      <View className='staff-hero'>
        <View>
          <Text className='staff-hero__hello'>{staff.name ? `${staff.name}，您好` : '您好'}</Text>
          <Text className='staff-hero__sub'>识别会员后可查看等级、积分与优惠券</Text>
        </View>
        <Text id='staff-role' className='staff-hero__role'>
          {ROLE_NAMES[staff.role] ?? staff.role}
        </Text>
      </View>

      <View className='staff-actions'>
        <View
          id='staff-goto-purchase'
          className='staff-actions__item'
          onClick={() => void Taro.navigateTo({ url: '/staff/purchase/index' })}
        >
          <Text className='staff-actions__title'>记录消费</Text>
          <Text className='staff-actions__sub'>积分、用券、退款</Text>
        </View>
        <View id='staff-goto-redeem' className='staff-actions__item' onClick={() => void Taro.navigateTo({ url: '/staff/redeem/index' })}>
          <Text className='staff-actions__title'>核销优惠券</Text>
          <Text className='staff-actions__sub'>扫券码，算优惠</Text>
        </View>
        <View id='staff-goto-paycode' className='staff-actions__item' onClick={() => void Taro.navigateTo({ url: '/staff/paycode/index' })}>
          <Text className='staff-actions__title'>收款码</Text>
          <Text className='staff-actions__sub'>顾客扫码，会员中心付款</Text>
        </View>
        <View
          id='staff-goto-pay-orders'
          className='staff-actions__item'
          onClick={() => void Taro.navigateTo({ url: '/staff/pay-orders/index' })}
        >
          <Text className='staff-actions__title'>支付订单</Text>
          <Text className='staff-actions__sub'>查看在线付款、退款</Text>
        </View>
        {staff.role === StaffRole.Admin ? (
          <>
            <View
              id='staff-goto-templates'
              className='staff-actions__item'
              onClick={() => void Taro.navigateTo({ url: '/staff/templates/index' })}
            >
              <Text className='staff-actions__title'>优惠券管理</Text>
              <Text className='staff-actions__sub'>新建、暂停、看领用</Text>
            </View>
            <View
              id='staff-goto-audience'
              className='staff-actions__item'
              onClick={() => void Taro.navigateTo({ url: '/staff/audience/index' })}
            >
              <Text className='staff-actions__title'>客户分层</Text>
              <Text className='staff-actions__sub'>圈选人群，看可触达人数</Text>
            </View>
            <View
              id='staff-goto-campaigns'
              className='staff-actions__item'
              onClick={() => void Taro.navigateTo({ url: '/staff/campaigns/index' })}
            >
              <Text className='staff-actions__title'>营销活动</Text>
              <Text className='staff-actions__sub'>发券、送积分、推消息</Text>
            </View>
          </>
        ) : null}
      </View>

      {platform.canScan ? (
        <ActionButton
          id='staff-scan'
          className='primary-button staff-page__scan'
          disabled={verifying || undefined}
          onClick={() => void scan()}
        >
          扫码识别会员
        </ActionButton>
      ) : null}

      <View className='section'>
        <Text className='section-title'>{platform.canScan ? '或输入会员码' : '输入会员码'}</Text>
        <View className='staff-page__row'>
          <Input
            id='staff-code-input'
            className='staff-page__input'
            type='text'
            placeholder='会员码下方的数字'
            maxlength={40}
            value={input}
            disabled={verifying}
            onInput={(event) => setInput(event.detail.value)}
            onConfirm={() => void verify(input)}
          />
          <ActionButton
            id='staff-verify'
            className='staff-page__verify'
            loading={verifying}
            disabled={verifying || undefined}
            onClick={() => void verify(input)}
          >
            查询
          </ActionButton>
        </View>
        {error ? (
          <Text id='staff-error' className='form-error'>
            {error}
          </Text>
        ) : null}
      </View>

      {member ? (
        <View id='staff-member' className='section staff-member'>
          <View className='staff-member__head'>
            <Text id='staff-member-name' className='staff-member__name'>
              {member.nickname?.trim() || '微信用户'}
            </Text>
            <Text id='staff-member-tier' className={`staff-member__tier staff-member__tier--${member.tier.code}`}>
              {member.tier.name}
            </Text>
          </View>
          <View className='staff-member__grid'>
            <View className='staff-member__cell'>
              <Text id='staff-member-points' className='staff-member__value'>
                {member.pointsBalance}
              </Text>
              <Text className='staff-member__label'>积分</Text>
            </View>
            <View className='staff-member__cell'>
              <Text id='staff-member-coupons' className='staff-member__value'>
                {member.couponCount}
              </Text>
              <Text className='staff-member__label'>可用券</Text>
            </View>
          </View>
          <View className='staff-member__line'>
            <Text className='staff-member__key'>手机号</Text>
            <Text id='staff-member-phone'>{member.phoneMasked ?? '未绑定'}</Text>
          </View>
          <View className='staff-member__line'>
            <Text className='staff-member__key'>会员编号</Text>
            <Text id='staff-member-id'>{member.id}</Text>
          </View>
          {member.birthday ? (
            <View className='staff-member__line'>
              <Text className='staff-member__key'>生日</Text>
              <Text>{member.birthday.slice(5)}</Text>
            </View>
          ) : null}
          {member.tier.benefits.length > 0 ? (
            <View className='staff-member__benefits'>
              {member.tier.benefits.map((benefit) => (
                <Text key={benefit} className='staff-member__benefit'>
                  {benefit}
                </Text>
              ))}
            </View>
          ) : null}
          <ActionButton
            id='staff-purchase-member'
            className='primary-button staff-member__redeem'
            onClick={() => void Taro.navigateTo({ url: `/staff/purchase/index?code=${verifiedCode}` })}
          >
            为该会员记录消费
          </ActionButton>
          <ActionButton
            id='staff-redeem-member'
            className='ghost-button staff-member__redeem'
            onClick={() => void Taro.navigateTo({ url: `/staff/redeem/index?memberId=${member.id}` })}
          >
            核销该会员的优惠券
          </ActionButton>
        </View>
      ) : (
        <View id='staff-empty' className='staff-page__empty'>
          <Text>{verifying ? '正在查询…' : '请扫描或输入顾客出示的会员码'}</Text>
        </View>
      )}
    </View>
  );
}
