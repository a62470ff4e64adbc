import type { ReactNode } from 'react';
import { Text, View } from '@tarojs/components';
import type { ErrorCode } from '@member/shared';
import ActionButton from '../ActionButton';
import StateView from '../StateView';
import type { LoadState } from '../../hooks/useLoader';
import { openPage } from '../../utils/navigation';
import './index.scss';

/** Everything a page can be before it shows its content. */
export type GateStatus = 'loading' | 'error' | 'not-joined' | 'staff-only' | 'ready';

/** Error codes that mean "join first" and "staff only": a state of the page, not a failure to retry. */
export const NOT_JOINED_CODES: readonly ErrorCode[] = ['MEMBER_NOT_JOINED'];
export const STAFF_ONLY_CODES: readonly ErrorCode[] = ['FORBIDDEN'];
/** Pass to useLoader's `blockedBy` so both states reach the gate instead of an error with a retry. */
export const GATE_BLOCKING_CODES: readonly ErrorCode[] = [...NOT_JOINED_CODES, ...STAFF_ONLY_CODES];

/** The gate's status for a useLoader state. */
export function gateStatusOf(state: LoadState<unknown>): GateStatus {
  if (state.kind === 'blocked') return NOT_JOINED_CODES.includes(state.code) ? 'not-joined' : 'staff-only';
  return state.kind;
}

export interface PageGateProps {
  status: GateStatus;
  /** Element ids are `${idPrefix}-loading|error|retry|not-joined|join|staff-only`, for browser tests. */
  idPrefix?: string;
  loadingTitle?: string;
  errorTitle?: string;
  errorMessage?: string;
  onRetry?: () => void;
  /** What joining gives on this page ("开通会员后即可领取会员专享券"). */
  notJoinedMessage?: string;
  /** The page's content, shown only when ready. */
  children?: ReactNode;
}

/**
 * The one gate every page puts its content behind: a spinner while loading, the error with a retry, one clear
 * 开通会员 action for a visitor who has not joined, and a plain refusal for a shopper on a staff page. Pages
 * then only write their ready state.
 */
export default function PageGate({
  status,
  idPrefix = 'page',
  loadingTitle,
  errorTitle,
  errorMessage,
  onRetry,
  notJoinedMessage = '开通后即可享受积分、等级与会员专享券',
  children,
}: PageGateProps) {
  if (status === 'ready') return <>{children}</>;
  if (status === 'loading') return <StateView status='loading' idPrefix={idPrefix} title={loadingTitle} />;
  if (status === 'error') {
    return <StateView status='error' idPrefix={idPrefix} title={errorTitle} message={errorMessage} onRetry={onRetry} />;
  }
  if (status === 'staff-only') {
    return (
      <View id={`${idPrefix}-staff-only`} className='page-gate'>
        <View className='page-gate__icon page-gate__icon--lock'>
          <Text>!</Text>
        </View>
        <Text className='page-gate__title'>仅限门店员工使用</Text>
        <Text className='page-gate__message'>当前微信账号没有员工权限，如需开通请联系门店管理员</Text>
      </View>
    );
  }
  return (
    <View id={`${idPrefix}-not-joined`} className='page-gate'>
      <View className='page-gate__icon'>
        <Text>会</Text>
      </View>
      <Text className='page-gate__title'>开通会员即可使用</Text>
      <Text className='page-gate__message'>{notJoinedMessage}</Text>
      <ActionButton id={`${idPrefix}-join`} className='primary-button page-gate__join' onClick={() => openPage('/pages/join/index')}>
        开通会员
      </ActionButton>
    </View>
  );
}
