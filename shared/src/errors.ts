/**
 * Domain error codes: stable strings the client and the tests match on, each with an HTTP status and the
 * zh-CN sentence the member (or clerk) sees. Never match on the message; it may be reworded.
 */
export const ERRORS = {
  VALIDATION_FAILED: { status: 400, message: '提交的信息有误，请检查后重试' },
  AUTH_REQUIRED: { status: 401, message: '请先登录' },
  SESSION_EXPIRED: { status: 401, message: '登录已过期，请重新进入' },
  /** The account this token was issued for has been deleted (注销): no token issued before that is honoured. */
  SESSION_REVOKED: { status: 401, message: '该账号已注销，请重新进入' },
  FORBIDDEN: { status: 403, message: '没有权限进行此操作' },
  NOT_FOUND: { status: 404, message: '内容不存在' },
  RATE_LIMITED: { status: 429, message: '操作太频繁，请稍后再试' },
  INTERNAL_ERROR: { status: 500, message: '系统繁忙，请稍后再试' },

  /** The desktop console's sign-in by scanning (扫码登录). */
  CONSOLE_LOGIN_NOT_FOUND: { status: 404, message: '二维码无效，请在电脑上刷新二维码后重新扫码' },
  CONSOLE_LOGIN_EXPIRED: { status: 410, message: '二维码已过期，请在电脑上刷新二维码后重新扫码' },
  CONSOLE_LOGIN_USED: { status: 409, message: '该二维码已使用，请在电脑上刷新二维码后重新扫码' },
  CONSOLE_LOGIN_ROLE_REFUSED: { status: 403, message: '管理后台仅限店长和总部人员登录' },

  /** Staff invites (邀请员工) and the console's staff management. */
  STAFF_INVITE_NOT_FOUND: { status: 404, message: '邀请二维码无效，请联系邀请人重新生成' },
  STAFF_INVITE_EXPIRED: { status: 410, message: '邀请已过期，请联系邀请人重新生成' },
  STAFF_INVITE_USED: { status: 409, message: '该邀请已被使用' },
  STAFF_INVITE_REVOKED: { status: 410, message: '该邀请已被撤销' },
  STAFF_ALREADY_STAFF: { status: 409, message: '您已是员工，无需再次接受邀请' },
  /** A store manager may invite and manage clerks of their own stores only. */
  STAFF_MANAGE_REFUSED: { status: 403, message: '店长只能管理本店店员' },
  /** Accounts listed in config are changed in config (re-applied at every start), not in the console. */
  STAFF_FROM_CONFIG: { status: 409, message: '该员工由系统配置管理，请修改配置文件' },
  STAFF_NOT_FOUND: { status: 404, message: '员工不存在' },
  STAFF_SELF_CHANGE: { status: 409, message: '不能修改或停用自己的账号' },
  /** Runtime settings (设置). */
  SETTING_UNKNOWN: { status: 404, message: '该设置项不存在或不可在线修改' },
  SETTING_INVALID: { status: 400, message: '设置值不符合要求，请检查后重试' },
  SETTING_STALE: { status: 409, message: '该设置已被他人修改，请刷新后重试' },
  SETTING_VERSION_NOT_FOUND: { status: 404, message: '该版本不存在' },

  WECHAT_CODE_INVALID: { status: 400, message: '微信登录凭证无效或已过期，请重新进入' },
  WECHAT_CODE_USED: { status: 400, message: '微信登录凭证已使用，请重新进入' },
  WECHAT_USER_BLOCKED: { status: 403, message: '当前微信账号存在风险，暂时无法登录' },
  WECHAT_RATE_LIMITED: { status: 429, message: '微信登录过于频繁，请稍后再试' },
  WECHAT_UNAVAILABLE: { status: 503, message: '微信服务繁忙，请稍后再试' },

  PRIVACY_CONSENT_REQUIRED: { status: 400, message: '请先阅读并同意隐私保护指引' },
  PHONE_CODE_INVALID: { status: 400, message: '手机号授权已失效，请重新授权' },
  PHONE_ALREADY_BOUND: { status: 409, message: '该手机号已绑定其他会员账号' },
  MEMBER_ALREADY_JOINED: { status: 409, message: '您已经是会员了' },
  MEMBER_NOT_JOINED: { status: 403, message: '请先开通会员' },
  MEMBER_NOT_FOUND: { status: 404, message: '未找到该会员' },
  /** Deleting the account (注销) needs the member's explicit confirmation in the request. */
  ACCOUNT_DELETE_NOT_CONFIRMED: { status: 400, message: '请确认注销账号' },
  /** An unpaid app order holds the member's coupon and points: pay or cancel it first. */
  ACCOUNT_HAS_OPEN_ORDER: { status: 409, message: '您有未支付的订单，请先支付或取消后再注销' },

  AVATAR_INVALID: { status: 400, message: '请上传 JPG、PNG 或 WebP 格式的图片' },
  AVATAR_TOO_LARGE: { status: 413, message: '头像图片太大，请换一张较小的图片' },

  BIRTHDAY_INVALID: { status: 400, message: '请填写正确的生日' },
  BIRTHDAY_CHANGE_TOO_SOON: { status: 409, message: '生日一年内只能修改一次' },

  COUPON_TEMPLATE_NOT_FOUND: { status: 404, message: '该优惠券活动不存在' },
  COUPON_NOT_FOUND: { status: 404, message: '未找到该优惠券，请核对券码' },
  COUPON_OUT_OF_STOCK: { status: 409, message: '手慢了，优惠券已领完' },
  COUPON_LIMIT_REACHED: { status: 409, message: '您已领取过该券，每人限领数量已满' },
  COUPON_NOT_ELIGIBLE: { status: 403, message: '您的会员等级暂不可领取该券' },
  COUPON_NEW_MEMBERS_ONLY: { status: 403, message: '该券仅限新会员领取' },
  COUPON_CLAIM_NOT_STARTED: { status: 409, message: '领取尚未开始，请稍后再来' },
  COUPON_CLAIM_ENDED: { status: 409, message: '领取已结束' },
  COUPON_TEMPLATE_PAUSED: { status: 409, message: '该券暂停领取' },
  COUPON_TEMPLATE_ALREADY_LIVE: { status: 409, message: '该券已开始领取、已发出或已被进行中的活动使用，不能再修改或删除' },
  COUPON_TEMPLATE_IN_USE: { status: 409, message: '有营销活动选用了这张券，请先在活动中换掉它再删除' },
  COUPON_ALREADY_REDEEMED: { status: 409, message: '该券已使用，不能重复使用' },
  COUPON_EXPIRED: { status: 410, message: '该券已过期' },
  COUPON_NOT_YET_VALID: { status: 409, message: '该券尚未到使用时间' },
  COUPON_BELOW_THRESHOLD: { status: 409, message: '订单金额未达到该券的使用门槛' },
  COUPON_POINTS_ONLY: { status: 409, message: '该券需在积分商城用积分兑换' },
  COUPON_OTHER_MEMBER: { status: 403, message: '该券不属于当前会员' },
  REDEMPTION_NOT_FOUND: { status: 404, message: '未找到该核销记录' },
  REDEMPTION_ALREADY_REVERSED: { status: 409, message: '该核销已撤销' },
  IDEMPOTENCY_KEY_REUSED: { status: 409, message: '请求重复，请刷新后重试' },
  /** The redemption belongs to an app order or a till purchase: only that sale's refund, cancel or expiry undoes it. */
  REDEMPTION_OWNED_BY_SALE: { status: 409, message: '该券随订单核销，请通过订单退款或取消来撤销' },

  POINTS_BURN_TOO_SMALL: { status: 409, message: '积分抵扣未达到最低使用数量' },
  POINTS_BURN_TOO_LARGE: { status: 409, message: '积分抵扣超过本单可抵扣上限' },
  POINTS_INSUFFICIENT: { status: 409, message: '积分余额不足' },
  PURCHASE_NOT_FOUND: { status: 404, message: '未找到该消费记录' },
  PURCHASE_AMOUNT_INVALID: { status: 400, message: '请输入正确的消费金额' },
  REFUND_AMOUNT_INVALID: { status: 400, message: '请输入正确的退款金额' },
  REFUND_EXCEEDS_PAID: { status: 409, message: '退款金额不能超过实付金额' },
  /** A sale paid with WeChat Pay is refunded through WeChat Pay only (one refund ceiling whatever the route). */
  REFUND_VIA_WECHAT_PAY: { status: 409, message: '该笔消费为微信支付，请在微信支付订单中退款' },

  PAY_NOT_CONFIGURED: { status: 503, message: '暂未开通微信支付，请到收银台付款' },
  PAY_AMOUNT_INVALID: { status: 400, message: '请输入正确的支付金额' },
  PAY_AMOUNT_ZERO: { status: 409, message: '优惠后无需支付，请到收银台结账' },
  PAY_STORE_UNKNOWN: { status: 404, message: '未找到该门店，请重新扫码' },
  PAY_ORDER_NOT_FOUND: { status: 404, message: '未找到该订单' },
  PAY_ORDER_CLOSED: { status: 409, message: '订单已关闭，请重新下单' },
  PAY_ORDER_NOT_PAID: { status: 409, message: '订单尚未支付，不能退款' },
  PAY_REFUND_NO_REUSED: { status: 409, message: '该退款单号已用于其他金额或订单' },
  PAY_UNAVAILABLE: { status: 503, message: '微信支付繁忙，请稍后再试' },
  /** WeChat refused the order's parameters (PARAM_ERROR): a setup problem for the shop, not the member's amount. */
  PAY_PARAMS_REJECTED: { status: 502, message: '微信支付未能受理该订单，请到收银台付款或联系门店' },
  /** NOT_ENOUGH: the merchant's WeChat Pay balance cannot cover the refund; it is kept and retried automatically. */
  PAY_REFUND_BALANCE_LOW: { status: 503, message: '商户账户余额不足，退款已登记，余额充足后将自动重试' },
  PURCHASE_RULE_NOT_FOUND: { status: 404, message: '未找到该营销规则' },
  PURCHASE_RULE_NOT_DRAFT: { status: 409, message: '规则已启用过，不能再修改' },
  PURCHASE_RULE_STATUS_CONFLICT: { status: 409, message: '规则当前状态不允许此操作' },
  PURCHASE_RULE_EMPTY_REWARD: { status: 400, message: '请至少设置优惠券、积分或积分倍数中的一项' },
  PURCHASE_RULE_COUPON_TEMPLATE_UNKNOWN: { status: 404, message: '未找到规则所选的优惠券' },
  PURCHASE_RULE_LIMIT_EXCEEDED: { status: 400, message: '奖励超出了允许的上限' },
  PURCHASE_RULE_TOO_MANY: { status: 409, message: '进行中的规则太多，请先结束不用的规则' },
  PURCHASE_RULE_DATES_INVALID: { status: 400, message: '规则的结束日期不能早于开始日期' },
  CAMPAIGN_NOT_FOUND: { status: 404, message: '未找到该活动' },
  CAMPAIGN_NOT_DRAFT: { status: 409, message: '活动已发布，不能再修改或删除' },
  CAMPAIGN_STATUS_CONFLICT: { status: 409, message: '活动当前状态不允许此操作' },
  CAMPAIGN_COUPON_TEMPLATE_UNKNOWN: { status: 404, message: '未找到活动所选的优惠券' },
  CAMPAIGN_EMPTY_OFFER: { status: 400, message: '请至少选择优惠券、积分或消息中的一项' },
  MESSAGE_KIND_UNKNOWN: { status: 404, message: '没有这种消息通知' },
  MESSAGE_TEMPLATE_UNKNOWN: { status: 400, message: '订阅结果与本店的消息模板不符，请重试' },
  SEGMENTS_REFRESH_RUNNING: { status: 409, message: '客户分层正在更新，请稍后再试' },

  MEMBER_CODE_INVALID: { status: 400, message: '会员码无效，请让顾客刷新后重新出示' },
  MEMBER_CODE_EXPIRED: { status: 410, message: '会员码已过期，请让顾客刷新后重新出示' },
  /** Too many wrong member codes from this staff account, or against this member: verification is paused. */
  MEMBER_CODE_LOCKED: { status: 429, message: '会员码错误次数过多，请稍后再试' },

  STORE_UNKNOWN: { status: 404, message: '未找到该门店' },
  STORE_NOT_YOURS: { status: 403, message: '您不能在其他门店操作' },
  STORE_REQUIRED: { status: 400, message: '请选择门店' },
  /** A clerk reads a member only after scanning that member's code (the grant lasts a few minutes). */
  MEMBER_ACCESS_REQUIRED: { status: 403, message: '请先扫描会员码' },
  /** The till ticket (handed out when the clerk identified the member) is malformed or its signature is wrong. */
  TILL_TICKET_INVALID: { status: 400, message: '会员识别信息无效，请重新识别会员' },
  /** The console's member pages: a store manager opens only members who bought at one of their stores. */
  MEMBER_NOT_YOURS: { status: 403, message: '该会员不是您门店的会员' },
  /** The ticket outlived staffAccess.tillTicketSeconds: identify the member again. */
  TILL_TICKET_EXPIRED: { status: 410, message: '会员识别已超时，请重新识别会员' },
  /** The ticket was handed to another clerk, or for another store. */
  TILL_TICKET_NOT_YOURS: { status: 403, message: '该会员由其他店员或门店识别，请重新识别会员' },

  /** Service recovery (投诉与反馈): the case does not exist, or is another member's (never told apart). */
  FEEDBACK_NOT_FOUND: { status: 404, message: '未找到该反馈' },
  /** The order named is not one of this member's orders. */
  FEEDBACK_ORDER_NOT_YOURS: { status: 400, message: '请选择您本人的订单' },
  FEEDBACK_PHOTO_INVALID: { status: 400, message: '请上传 JPG、PNG 或 WebP 格式的图片' },
  FEEDBACK_PHOTO_TOO_LARGE: { status: 413, message: '图片太大，请换一张较小的图片' },
  /** More photos than feedback.maxPhotos, or a photo that is not the member's own unused upload. */
  FEEDBACK_PHOTOS_INVALID: { status: 400, message: '图片数量过多或图片已失效，请重新选择' },
  /** A resolved or closed case takes no more replies, and cannot be resolved again. */
  FEEDBACK_ALREADY_RESOLVED: { status: 409, message: '该反馈已处理完毕' },
  /** The member rates only after staff resolved the case. */
  FEEDBACK_NOT_RESOLVED: { status: 409, message: '问题处理完成后才能评价' },
  FEEDBACK_ALREADY_RATED: { status: 409, message: '您已评价过了' },
  /** The goodwill asked for is above what this staff role may give (feedback.goodwillLimits). */
  GOODWILL_OVER_LIMIT: { status: 403, message: '补偿超出您的权限额度，请联系上级处理' },
  /** Staff giving goodwill, a coupon or a points adjustment to their own member account (the same WeChat user). */
  GOODWILL_TO_SELF: { status: 403, message: '不能给自己的会员账号发放补偿或调整积分' },
  /** A goodwill coupon's template cannot be issued now (paused, out of stock or gone). */
  GOODWILL_COUPON_UNAVAILABLE: { status: 409, message: '该优惠券暂不可发放，请换一张' },
  /** A manual points adjustment above feedback.pointsAdjustmentMaxPoints (either way), or of 0. */
  POINTS_ADJUST_OVER_LIMIT: { status: 400, message: '调整积分超出单次上限' },
  /** A metrics snapshot asked for a day that has not begun yet (business calendar). */
  METRICS_DAY_IN_FUTURE: { status: 400, message: '不能统计未来的日期' },
  /** A metrics range whose end is before its start. */
  METRICS_RANGE_INVALID: { status: 400, message: '日期范围有误，请重新选择' },
  /** A metrics range longer than metrics.maxRangeDays. */
  METRICS_RANGE_TOO_LONG: { status: 400, message: '日期范围过长，请缩短后重试' },
  /** Exports and imports (issue 18). */
  EXPORT_NOT_FOUND: { status: 404, message: '没有这个导出' },
  IMPORT_NOT_FOUND: { status: 404, message: '没有这个导入任务' },
  IMPORT_FILE_INVALID: { status: 400, message: '请上传 CSV 或 XLSX 文件，第一行为表头，且包含“手机号”列' },
  IMPORT_FILE_TOO_LARGE: { status: 413, message: '文件太大，请拆分后分批导入' },
  IMPORT_TOO_MANY_ROWS: { status: 400, message: '文件行数超过单次导入上限，请拆分后分批导入' },
  /** Another worker holds the import's lease (it is running now): wait, then look at its progress. */
  IMPORT_RUNNING: { status: 409, message: '该导入正在进行中' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;
export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

/** The body of every non-2xx answer from our API. */
export interface ApiErrorBody {
  code: ErrorCode;
  message: string;
  /** Field-level problems for VALIDATION_FAILED: path → reason (developer-facing, not shown to members). */
  details?: Array<{ path: string; reason: string }>;
  requestId?: string;
}

export function errorMessage(code: ErrorCode): string {
  return ERRORS[code].message;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERRORS, value);
}
