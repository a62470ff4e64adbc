import { useCallback, useEffect, useState } from 'react';
import Taro, { useDidShow } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { StaffRole, type SalesSummary, type StaffProfile } from '@member/shared';
import { getSalesSummary, getStaffProfile, isApiError, messageOf } from '../../api';
import StateView from '../../components/StateView';
import { openPage } from '../../utils/navigation';
import MemberIdentify from '../components/MemberIdentify';
import StaffIconGrid from '../components/StaffIconGrid';
import TillMemberBar from '../components/TillMemberBar';
import TodaySummary from '../components/TodaySummary';
import { useTillMember } from '../hooks/useTillMember';
import './index.scss';

type PageState = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'not-staff' } | { kind: 'ready'; staff: StaffProfile };

const ROLE_NAMES: Record<StaffRole, string> = {
  [StaffRole.Clerk]: '店员',
  [StaffRole.StoreManager]: '店长',
  [StaffRole.Admin]: '管理员',
};

const NOT_STAFF_MESSAGE = '仅限门店员工使用';

/**
 * The till, first screen: identify the customer (扫码 or the number pad) at the top; once identified they stay
 * pinned with 记录消费 / 核销优惠券 right under them; today's numbers for the clerk's store and the other tools below.
 */
export default function StaffHomePage() {
  const [state, setState] = useState<PageState>({ kind: 'loading' });
  const [summary, setSummary] = useState<SalesSummary | null>(null);
  const till = useTillMember();

  const load = useCallback(async () => {
    setState({ kind: 'loading' });
    try {
      setState({ kind: 'ready', staff: await getStaffProfile() });
    } catch (failure) {
      // FORBIDDEN on a staff endpoint means this WeChat account is not on the staff list.
      const notStaff = isApiError(failure) && failure.code === 'FORBIDDEN';
      setState(notStaff ? { kind: 'not-staff' } : { kind: 'error', message: messageOf(failure) });
    }
  }, []);

  const loadSummary = useCallback(() => {
    getSalesSummary()
      .then(setSummary)
      .catch(() => setSummary(null));
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    if (state.kind === 'ready') loadSummary();
  }, [state.kind, loadSummary]);

  // Back from a sale or a refund: today's numbers have moved.
  useDidShow(() => {
    if (state.kind === 'ready') loadSummary();
  });

  if (state.kind !== 'ready') {
    return (
      <View className='page staff-page'>
        {state.kind === 'loading' ? <StateView status='loading' idPrefix='staff-page' /> : null}
        {state.kind === 'error' ? (
          <StateView status='error' idPrefix='staff-page' message={state.message} onRetry={() => void load()} />
        ) : null}
        {state.kind === 'not-staff' ? (
          <StateView
            status='empty'
            idPrefix='staff-page'
            title={NOT_STAFF_MESSAGE}
            message='当前微信账号不在门店员工名单中，如需开通请联系门店管理员'
            retryText='返回会员卡'
            onRetry={() => void Taro.reLaunch({ url: '/pages/card/index' })}
          />
        ) : null}
      </View>
    );
  }

  const { staff } = state;
  const storeName = staff.role !== StaffRole.Admin && staff.stores.length === 1 ? staff.stores[0].name : null;
  return (
    <View className='page staff-page'>
      {till.member ? (
        <TillMemberBar
          member={till.member}
          onPurchase={() => openPage('/staff/purchase/index')}
          onRedeem={() => openPage(`/staff/redeem/index?memberId=${till.member!.id}`)}
          onFeedback={() => openPage('/staff/feedback-new/index')}
          onClear={till.clear}
        />
      ) : (
        <View className='staff-bar'>
          <Text className='staff-bar__hello'>{staff.name ? `${staff.name}，您好` : '您好'}</Text>
          <Text className='staff-bar__store'>
            {storeName ?? (staff.role === StaffRole.Admin ? '总部' : `${staff.stores.length} 家门店`)}
          </Text>
          <Text id='staff-role' className='staff-bar__role'>
            {ROLE_NAMES[staff.role] ?? staff.role}
          </Text>
        </View>
      )}

      <MemberIdentify hasMember={till.member !== null} onIdentified={till.identify} />

      <TodaySummary summary={summary} storeName={storeName} onOpen={() => openPage('/staff/sales/index')} />

      <StaffIconGrid role={staff.role} />
    </View>
  );
}
