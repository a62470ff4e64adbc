/** The member's unpaid order, resumable from 首页 (issue 16). Placeholder until the orders work lands. */
export default function PendingOrderBanner() {
  return null;
}
