import { describe, expect, it } from '@jest/globals';
import type { CampaignRunView, CampaignView } from '@member/shared';
import { audienceFormOf, readAudienceForm, emptyAudienceForm } from './audience';
import {
  buildCampaignRequest,
  campaignFieldOfServerPath,
  campaignFormOf,
  emptyCampaignForm,
  failedLines,
  holdoutText,
  lastRunText,
  liftText,
  parseHoldoutPercent,
  reportIsMoving,
  runsNewestFirst,
  scheduleText,
  skippedLines,
  type CampaignForm,
  type CampaignFormField,
} from './campaigns';

const NOW = new Date('2026-11-23T02:00:00Z'); // 10:00 in Shanghai
const KEY = 'form-key-0001';
const everyone = readAudienceForm(emptyAudienceForm());
const newMembers = readAudienceForm({ ...emptyAudienceForm(), lifecycleStatuses: ['new'] });
const form = (patch: Partial<CampaignForm>): CampaignForm => ({
  ...emptyCampaignForm('2026-11-23'),
  name: '回归礼',
  couponTemplateId: 7,
  ...patch,
});

function requestOf(patch: Partial<CampaignForm>, audience = newMembers) {
  const result = buildCampaignRequest(form(patch), audience, NOW, KEY);
  if (!('request' in result)) throw new Error(`unexpected errors ${JSON.stringify(result)}`);
  return result.request;
}
function errorsOf(patch: Partial<CampaignForm>, audience = newMembers) {
  const result = buildCampaignRequest(form(patch), audience, NOW, KEY);
  if (!('errors' in result)) throw new Error('expected errors');
  return result;
}

function run(patch: Partial<CampaignRunView> = {}): CampaignRunView {
  return {
    id: 1,
    period: 'once',
    status: 'done',
    targeted: 10,
    heldOut: 0,
    couponsIssued: 10,
    couponsShort: 0,
    pointsGranted: 0,
    messages: { queued: 0, sent: 4, skipped: {}, failed: {} },
    couponsRedeemed: 0,
    treatment: { members: 10, revenueFen: 0, revenuePerMemberFen: 0, purchasers: 0 },
    holdout: { members: 0, revenueFen: 0, revenuePerMemberFen: 0, purchasers: 0 },
    startedAt: '2026-11-23T02:00:00.000Z',
    finishedAt: '2026-11-23T02:00:05.000Z',
    ...patch,
  };
}

function campaign(patch: Partial<CampaignView> = {}): CampaignView {
  return {
    id: 3,
    name: '回归礼',
    status: 'active',
    filter: {},
    couponTemplateId: 7,
    couponTemplateName: '回归礼券',
    points: 0,
    messageKind: 'coupon_arrived',
    offerText: null,
    schedule: 'now',
    startsAt: null,
    dormantDays: null,
    daysBefore: null,
    holdoutPermille: 0,
    createdAt: '2026-11-23T01:00:00.000Z',
    launchedAt: '2026-11-23T02:00:00.000Z',
    system: null,
    runs: [],
    ...patch,
  };
}

describe('the new-campaign form', () => {
  it('turns a one-off coupon push into the request', () => {
    expect(requestOf({ messageKind: 'coupon_arrived', offerText: '  满100减30券已到账 ' })).toEqual({
      name: '回归礼',
      filter: { lifecycleStatuses: ['new'] },
      couponTemplateId: 7,
      points: 0,
      messageKind: 'coupon_arrived',
      offerText: '满100减30券已到账',
      schedule: 'now',
      startsAt: null,
      dormantDays: null,
      daysBefore: null,
      holdoutPermille: 0,
      idempotencyKey: KEY,
    });
  });

  it('sends only the schedule field the schedule needs', () => {
    expect(requestOf({ schedule: 'at', startsDate: '2026-11-24', startsTime: '09:30' })).toMatchObject({
      schedule: 'at',
      startsAt: '2026-11-24T01:30:00.000Z',
      dormantDays: null,
      daysBefore: null,
    });
    expect(requestOf({ schedule: 'reactivation', dormantDays: '60' })).toMatchObject({ startsAt: null, dormantDays: 60, daysBefore: null });
    expect(requestOf({ schedule: 'coupon_expiry', daysBefore: '3' })).toMatchObject({ startsAt: null, dormantDays: null, daysBefore: 3 });
    expect(requestOf({ schedule: 'birthday' })).toMatchObject({ startsAt: null, dormantDays: null, daysBefore: null });
  });

  it('keeps the offer text only with a message, points and holdout as numbers', () => {
    expect(requestOf({ offerText: '好久不见' })).toMatchObject({ messageKind: null, offerText: null });
    expect(requestOf({ couponTemplateId: null, points: '200', holdoutPercent: '12.5' }, everyone)).toMatchObject({
      couponTemplateId: null,
      points: 200,
      holdoutPermille: 125,
      filter: {},
    });
  });

  it.each([
    [{ name: ' ' }, 'name'],
    [{ name: '一'.repeat(41) }, 'name'],
    [{ points: '1.5' }, 'points'],
    [{ points: '100001' }, 'points'],
    [{ messageKind: 'reactivation', offerText: '一二三四五六七八九十一二三四五六七八九十一' }, 'offerText'],
    [{ couponTemplateId: null, points: '', messageKind: null }, 'offer'],
    [{ schedule: 'at', startsDate: '2026-11-22', startsTime: '10:00' }, 'startsDate'],
    [{ schedule: 'at', startsDate: '' }, 'startsDate'],
    [{ schedule: 'reactivation', dormantDays: '0' }, 'dormantDays'],
    [{ schedule: 'coupon_expiry', daysBefore: 'x' }, 'daysBefore'],
    [{ schedule: 'coupon_expiry', daysBefore: '0' }, 'daysBefore'],
    [{ schedule: 'coupon_expiry', daysBefore: '61' }, 'daysBefore'],
    [{ holdoutPercent: '51' }, 'holdoutPercent'],
    [{ holdoutPercent: '10.25' }, 'holdoutPercent'],
  ] as Array<[Partial<CampaignForm>, string]>)('refuses %j with a message on %s', (patch, field) => {
    expect(errorsOf(patch).errors[field as CampaignFormField]).toMatch(/[\u4e00-\u9fa5]/);
  });

  it('takes an offer of exactly 20 characters', () => {
    expect(requestOf({ messageKind: 'reactivation', offerText: '一'.repeat(20) }).offerText).toBe('一'.repeat(20));
  });

  it('refuses a form whose audience does not read, with the audience errors', () => {
    const broken = readAudienceForm({ ...emptyAudienceForm(), daysMin: '9', daysMax: '1' });
    const result = errorsOf({}, broken);
    expect(result.errors.audience).toBeTruthy();
    expect(result.audienceErrors?.daysMax).toBeTruthy();
  });

  it('maps the server’s detail paths to the fields', () => {
    expect(campaignFieldOfServerPath('filter.lastPurchaseDaysMax')).toBe('audience');
    expect(campaignFieldOfServerPath('holdoutPermille')).toBe('holdoutPercent');
    expect(campaignFieldOfServerPath('startsAt')).toBe('startsDate');
    expect(campaignFieldOfServerPath('idempotencyKey')).toBeNull();
  });

  it('reads the holdout share as per mille', () => {
    expect(parseHoldoutPercent('')).toBe(0);
    expect(parseHoldoutPercent('50')).toBe(500);
    expect(parseHoldoutPercent('0.5')).toBe(5);
    expect(parseHoldoutPercent('50.1')).toBeNull();
    expect(parseHoldoutPercent('-1')).toBeNull();
    expect(holdoutText(125)).toBe('12.5%');
  });
});

describe('the run report', () => {
  it('lists skipped messages by reason in a fixed order and failures by count', () => {
    const report = run({
      messages: {
        queued: 0,
        sent: 1,
        skipped: { frequency_cap: 2, no_grant: 5, opted_out: 0, mystery: 1 },
        failed: { '40003': 1, '43101': 3 },
      },
    });
    expect(skippedLines(report)).toEqual([
      { key: 'no_grant', label: '未订阅', count: 5 },
      { key: 'frequency_cap', label: '频次限制', count: 2 },
      { key: 'mystery', label: 'mystery', count: 1 },
    ]);
    expect(failedLines(report).map((line) => [line.key, line.count])).toEqual([
      ['43101', 3],
      ['40003', 1],
    ]);
    expect(failedLines(report)[0].label).toContain('43101');
    expect(failedLines(run({ messages: { queued: 0, sent: 0, skipped: {}, failed: { timeout: 2 } } }))[0].label).toBe('请求超时');
  });

  it('gives the lift of the treated group over the holdout per member', () => {
    expect(liftText(run())).toBe('未设对照组');
    const group = (revenuePerMemberFen: number) => ({
      members: 10,
      revenueFen: revenuePerMemberFen * 10,
      revenuePerMemberFen,
      purchasers: 1,
    });
    expect(liftText(run({ treatment: group(15000), holdout: group(10000) }))).toBe('+¥50/人（+50%）');
    expect(liftText(run({ treatment: group(9000), holdout: group(10000) }))).toBe('-¥10/人（-10%）');
    expect(liftText(run({ treatment: group(3000), holdout: group(0) }))).toBe('+¥30/人');
    expect(liftText(run({ treatment: group(0), holdout: group(0) }))).toBe('¥0/人');
  });

  it('follows a campaign while a run issues, messages wait, or a launched one-off has not started', () => {
    const now = NOW.getTime();
    expect(reportIsMoving(campaign(), now)).toBe(true);
    expect(reportIsMoving(campaign({ runs: [run()] }), now)).toBe(false);
    expect(reportIsMoving(campaign({ runs: [run({ status: 'issuing' })] }), now)).toBe(true);
    expect(
      reportIsMoving(campaign({ status: 'ended', runs: [run({ messages: { queued: 1, sent: 0, skipped: {}, failed: {} } })] }), now),
    ).toBe(true);
    expect(reportIsMoving(campaign({ status: 'draft' }), now)).toBe(false);
    expect(reportIsMoving(campaign({ schedule: 'at', startsAt: '2026-11-24T00:00:00.000Z' }), now)).toBe(false);
    expect(reportIsMoving(campaign({ schedule: 'at', startsAt: '2026-11-23T01:00:00.000Z' }), now)).toBe(true);
    expect(reportIsMoving(campaign({ schedule: 'birthday' }), now)).toBe(false);
  });

  it('sums up a campaign for the list and its schedule in words', () => {
    expect(lastRunText(campaign({ status: 'draft' }))).toBe('尚未发布');
    const older = run({ id: 1, period: '2026-11-22', startedAt: '2026-11-22T02:00:00.000Z', targeted: 1 });
    const newer = run({
      id: 2,
      period: '2026-11-23',
      targeted: 2,
      couponsIssued: 2,
      messages: { queued: 0, sent: 1, skipped: { no_grant: 1 }, failed: {} },
    });
    expect(runsNewestFirst([older, newer]).map((r) => r.id)).toEqual([2, 1]);
    expect(lastRunText(campaign({ runs: [older, newer] }))).toBe('2026-11-23 执行：目标 2 人 · 发券 2 · 消息送达 1');
    expect(scheduleText(campaign({ schedule: 'at', startsAt: '2026-11-24T01:30:00.000Z' }))).toBe('定时：2026-11-24 09:30');
    expect(scheduleText(campaign({ schedule: 'reactivation', dormantDays: 90 }))).toContain('90 天');
  });
});

describe('a saved campaign back in the form', () => {
  it('round-trips: the form of a saved draft builds the same request again (an "at" schedule, holdout, offer text)', () => {
    const typed = form({
      points: '50',
      messageKind: 'coupon_arrived',
      offerText: '满100减30券已到账',
      schedule: 'at',
      startsDate: '2026-11-30',
      startsTime: '09:30',
      holdoutPercent: '12.5',
    });
    const built = buildCampaignRequest(typed, newMembers, NOW, KEY);
    if (!('request' in built)) throw new Error('form should build');
    const { idempotencyKey: _key, ...setUp } = built.request;
    const saved = {
      ...setUp,
      id: 3,
      status: 'draft',
      couponTemplateName: '回归礼券',
      createdAt: NOW.toISOString(),
      launchedAt: null,
      system: null,
      runs: [],
    } as CampaignView;
    const again = campaignFormOf(saved, '2026-11-23');
    expect(buildCampaignRequest(again, readAudienceForm(audienceFormOf(saved.filter)), NOW, KEY)).toEqual(built);
    expect(campaignFormOf(saved, '2026-11-23', '回归礼 副本').name).toBe('回归礼 副本');
  });
});
