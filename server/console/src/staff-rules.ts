/**
 * The form rules and wording of the staff pages, shared with the console rather than copied: a coupon template,
 * a campaign or a purchase rule is checked the same way (same limits, same Chinese messages) whether HQ edits it
 * on a phone or at a desk. These modules are pure (they import only @member/shared), so Vite bundles them as is.
 */
export * from '../../../miniprogram/src/utils/template-form';
export * from '../../../miniprogram/src/utils/audience';
export * from '../../../miniprogram/src/utils/campaigns';
export * from '../../../miniprogram/src/utils/purchase-rules';
export { TIER_NAMES, COUPON_KIND_NAMES, TEMPLATE_STATUS_NAMES, couponLabel, zheOf } from '../../../miniprogram/src/utils/coupons';
export { businessDate, businessDateTime, businessInstant } from '../../../miniprogram/src/utils/dates';
export { copyName } from '../../../miniprogram/src/utils/form-errors';
export { feedbackStatus, feedbackTitle, goodwillText, dueText } from '../../../miniprogram/src/utils/feedback';
