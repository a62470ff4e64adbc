/**
 * The campaigns the system runs itself (seeded by migration 1763900000017), by their `campaign.system_key`. Staff
 * see them and their daily runs in the campaign list, and cannot edit or pause them: what they give follows
 * config, through their programs (SystemCampaignProgram: birthday/birthday-perk.program.ts,
 * campaigns/coupon-reminder.program.ts), and the campaign runner issues them like any campaign.
 */
export const SystemCampaign = { BirthdayPerk: 'birthday-perk', CouponReminder: 'coupon-reminder' } as const;
export type SystemCampaign = (typeof SystemCampaign)[keyof typeof SystemCampaign];
