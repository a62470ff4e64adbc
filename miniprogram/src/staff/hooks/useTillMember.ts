import { useCallback, useEffect, useState } from 'react';
import Taro, { useDidShow } from '@tarojs/taro';
import type { IdentifiedMemberView, StaffMemberView } from '@member/shared';
import { getStaffMember } from '../../api';
import { ticketUsable } from '../../utils/till';

const KEY = 'staff.tillMember';

function read(): IdentifiedMemberView | null {
  const stored = Taro.getStorageSync(KEY) as IdentifiedMemberView | '' | undefined;
  if (!stored || typeof stored !== 'object' || !stored.tillTicket) return null;
  if (!ticketUsable(stored, new Date())) {
    Taro.removeStorageSync(KEY);
    return null;
  }
  return stored;
}

/**
 * The member the clerk identified, shared by the till's pages (home, record purchase, redeem, sales): kept in
 * storage with its ticket until the ticket runs out or the clerk clears it, and re-read whenever a page shows,
 * so coming back from a sale shows the same member.
 */
export function useTillMember() {
  const [member, setMember] = useState<IdentifiedMemberView | null>(read);

  /** Fresh points and coupons (after a sale), same ticket. */
  const refresh = useCallback((view: StaffMemberView) => {
    const current = read();
    if (!current || current.id !== view.id) return;
    const next = { ...current, ...view };
    Taro.setStorageSync(KEY, next);
    setMember(next);
  }, []);

  useDidShow(() => {
    const stored = read();
    setMember(stored);
    // Points and coupons move with every sale and refund, on this page or another: read them again.
    if (stored) getStaffMember(stored.id).then(refresh, () => undefined);
  });

  // The ticket runs out while the page stays open: let go of the member then, rather than fail the next action.
  useEffect(() => {
    if (!member) return undefined;
    const timer = setTimeout(() => setMember(read()), Math.max(1_000, Date.parse(member.tillTicketExpiresAt) - Date.now() - 4_000));
    return () => clearTimeout(timer);
  }, [member]);

  const identify = useCallback((identified: IdentifiedMemberView) => {
    Taro.setStorageSync(KEY, identified);
    setMember(identified);
  }, []);

  const clear = useCallback(() => {
    Taro.removeStorageSync(KEY);
    setMember(null);
  }, []);

  return { member, identify, refresh, clear };
}
