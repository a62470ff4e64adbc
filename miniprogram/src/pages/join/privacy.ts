/** What the member agrees to, in short; the full text is the 用户隐私保护指引 declared in the MP console (§8). */
export const PRIVACY_SUMMARY = [
  '为向您提供会员服务，我们会收集：',
  '1. 手机号（经您授权后由微信提供），用于会员身份识别与账户安全；',
  '2. 昵称、头像（您主动填写），用于会员卡展示；',
  '3. 生日（您主动填写，可选），用于发放生日礼遇；',
  '4. 消费、积分与优惠券记录，用于会员等级与权益计算。',
  '手机号加密存储，门店员工仅能看到脱敏号码。您可随时联系客服查询、更正或注销会员信息。',
].join('\n');
