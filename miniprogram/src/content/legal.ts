/**
 * The member privacy policy and user agreement, kept in one place: the join page shows the summary and links to
 * the full pages (pages/privacy, pages/agreement), which render these documents. In WeChat the binding text is
 * the 用户隐私保护指引 declared in the MP console; keep the two in step when either changes (and raise
 * `privacy.policyVersion` in config so members consent again).
 */
export interface LegalSection {
  heading: string;
  paragraphs: string[];
}

export interface LegalDocument {
  title: string;
  /** YYYY-MM-DD. */
  effectiveDate: string;
  intro: string;
  sections: LegalSection[];
}

export const PRIVACY_POLICY: LegalDocument = {
  title: '会员隐私保护指引',
  effectiveDate: '2026-11-01',
  intro:
    '我们深知个人信息对您的重要性。本指引说明我们在您使用会员服务时收集哪些信息、为什么收集、如何保存与保护，以及您享有的权利。请您在开通会员前仔细阅读。',
  sections: [
    {
      heading: '一、我们收集的信息',
      paragraphs: [
        '1. 手机号（经您授权后由微信提供），用于会员身份识别与账户安全；',
        '2. 昵称、头像（您主动填写），用于会员卡展示；',
        '3. 生日（您主动填写，可选），用于发放生日礼遇；',
        '4. 消费、积分与优惠券记录，用于会员等级与权益计算。',
      ],
    },
    {
      heading: '二、我们如何使用信息',
      paragraphs: [
        '仅用于提供会员服务：识别会员身份、累积与使用积分、计算会员等级、发放和核销优惠券、在您允许时发送服务通知。',
        '我们不会将您的个人信息出售给任何第三方，也不会用于本指引以外的目的。',
      ],
    },
    {
      heading: '三、我们如何保存与保护信息',
      paragraphs: [
        '手机号加密存储，门店员工仅能看到脱敏号码；员工查看会员信息须先扫描会员本人出示的会员码。',
        '会员码定时刷新，截图或转发后很快失效。',
      ],
    },
    {
      heading: '四、消息通知',
      paragraphs: ['只有在您点击「允许」后，我们才会向您发送对应的服务通知（如优惠券到账、积分变动）；您可在「消息通知」中随时关闭。'],
    },
    {
      heading: '五、您的权利',
      paragraphs: [
        '您可在「个人资料」中查看、更正昵称、头像与生日；可随时联系客服查询您的个人信息。',
        '您可在「我的 → 注销账号」注销会员：手机号、昵称、头像和生日将被清除，且无法恢复；法律法规和财务核算要求保留的交易记录将以去标识化的方式保存。',
      ],
    },
    {
      heading: '六、联系我们',
      paragraphs: ['如对本指引有任何疑问，请通过「我的 → 联系客服」与我们联系，我们将在 15 个工作日内答复。'],
    },
  ],
};

export const USER_AGREEMENT: LegalDocument = {
  title: '会员服务协议',
  effectiveDate: '2026-11-01',
  intro: '欢迎您加入会员。本协议是您与我们之间关于会员服务的约定；开通会员即表示您已阅读并同意本协议。',
  sections: [
    {
      heading: '一、会员资格',
      paragraphs: [
        '年满 14 周岁、通过微信验证手机号的用户可开通会员。一个手机号仅可开通一个会员账户，会员资格仅限本人使用，不得转让或出借。',
      ],
    },
    {
      heading: '二、积分',
      paragraphs: [
        '消费实付金额按规则累积积分，不同等级积分倍数不同；积分可在付款时抵现，或在积分商城兑换优惠券。',
        '积分有有效期，到期未使用的积分将自动清零；发生退款时，对应积分将相应扣回或返还。',
      ],
    },
    {
      heading: '三、会员等级',
      paragraphs: ['会员等级按一定期间内的累计消费计算，达到标准即时升级；消费回落时定期复核，复核前设有保级期。'],
    },
    {
      heading: '四、优惠券',
      paragraphs: [
        '优惠券须在有效期内、满足使用条件时使用，每张限用一次，不可兑换现金、不设找零。',
        '整单退款时，仍在有效期内的优惠券将退回您的券包。',
      ],
    },
    {
      heading: '五、账户安全',
      paragraphs: ['请妥善保管您的微信账号。会员码仅供本人在结账时出示，请勿截图转发他人；因您个人原因导致的损失由您自行承担。'],
    },
    {
      heading: '六、协议变更与终止',
      paragraphs: [
        '我们可能根据业务调整修订本协议，修订后将在小程序内公布；涉及您重要权益的变更会请您重新确认。',
        '您可随时注销会员；注销后会员权益终止，未使用的积分与优惠券随之作废。',
      ],
    },
  ],
};

/** The short version shown on the join page before the full text. */
export const PRIVACY_SUMMARY = [
  '为向您提供会员服务，我们会收集：',
  ...PRIVACY_POLICY.sections[0].paragraphs,
  '手机号加密存储，门店员工仅能看到脱敏号码。您可随时联系客服查询、更正或注销会员信息。',
].join('\n');
