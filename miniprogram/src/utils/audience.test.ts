import { describe, expect, it } from '@jest/globals';
import {
  audienceFormOf,
  describeAudience,
  emptyAudienceForm,
  previewKey,
  reachShare,
  readAudienceForm,
  toggled,
  type AudienceForm,
} from './audience';

const form = (patch: Partial<AudienceForm>): AudienceForm => ({ ...emptyAudienceForm(), ...patch });

function filterOf(patch: Partial<AudienceForm>) {
  const reading = readAudienceForm(form(patch));
  if (!reading.ok) throw new Error(`unexpected errors ${JSON.stringify(reading.errors)}`);
  return reading.filter;
}
function errorsOf(patch: Partial<AudienceForm>) {
  const reading = readAudienceForm(form(patch));
  if (reading.ok) throw new Error('expected errors');
  return reading.errors;
}

describe('the audience builder form', () => {
  it('leaves out every criterion nothing was picked or typed for: everyone', () => {
    expect(filterOf({})).toEqual({});
    expect(filterOf({ daysMin: '  ', spendMax: '' })).toEqual({});
  });

  it('sends the picked chips in a stable order and the numbers as days and fen', () => {
    expect(
      filterOf({
        tiers: ['gold', 'silver'],
        lifecycleStatuses: ['dormant', 'new'],
        birthdayMonths: [12, 3, 3],
        rfmSegments: ['dormant', 'high_value'],
        daysMin: '30',
        daysMax: '90',
        spendMin: '100',
        spendMax: '2000.5',
      }),
    ).toEqual({
      tiers: ['silver', 'gold'],
      lifecycleStatuses: ['new', 'dormant'],
      birthdayMonths: [3, 12],
      rfmSegments: ['high_value', 'dormant'],
      lastPurchaseDaysMin: 30,
      lastPurchaseDaysMax: 90,
      spendFenMin: 10000,
      spendFenMax: 200050,
    });
    expect(filterOf({ daysMax: '0' })).toEqual({ lastPurchaseDaysMax: 0 });
  });

  it.each([
    [{ daysMin: '-1' }, 'daysMin'],
    [{ daysMin: '1.5' }, 'daysMin'],
    [{ daysMax: '36501' }, 'daysMax'],
    [{ daysMin: '90', daysMax: '30' }, 'daysMax'],
    [{ spendMin: '12.345' }, 'spendMin'],
    [{ spendMax: 'abc' }, 'spendMax'],
    [{ spendMin: '500', spendMax: '100' }, 'spendMax'],
  ] as Array<[Partial<AudienceForm>, string]>)('refuses %j with a message on %s', (patch, field) => {
    expect(errorsOf(patch)[field as keyof ReturnType<typeof errorsOf>]).toMatch(/[\u4e00-\u9fa5]/);
  });

  it('toggles a chip in and out', () => {
    expect(toggled(['new'], 'active')).toEqual(['new', 'active']);
    expect(toggled(['new', 'active'], 'new')).toEqual(['active']);
  });

  it('shows a filter from a link or a campaign, dropping anything the builder could not have made', () => {
    const shown = audienceFormOf({
      tiers: ['gold', 'platinum'],
      lifecycleStatuses: ['new'],
      birthdayMonths: [3, 13, 2.5],
      rfmSegments: ['loyal', 1],
      lastPurchaseDaysMin: 30,
      spendFenMin: 13750,
      spendFenMax: -5,
      extra: true,
    });
    expect(shown).toEqual({
      ...emptyAudienceForm(),
      tiers: ['gold'],
      lifecycleStatuses: ['new'],
      birthdayMonths: [3],
      rfmSegments: ['loyal'],
      daysMin: '30',
      spendMin: '137.50',
    });
    expect(audienceFormOf(null)).toEqual(emptyAudienceForm());
    expect(audienceFormOf('{"tiers":["gold"]}')).toEqual(emptyAudienceForm());
    // Round trip: the form of a filter reads back to the same filter.
    const filter = filterOf({ tiers: ['diamond'], daysMin: '7', daysMax: '7', spendMax: '1000000' });
    expect(readAudienceForm(audienceFormOf(filter))).toEqual({ ok: true, filter });
  });

  it('describes a filter in words, one line per criterion', () => {
    expect(describeAudience({})).toEqual(['全部会员']);
    expect(
      describeAudience({
        tiers: ['gold'],
        lifecycleStatuses: ['new', 'dormant'],
        birthdayMonths: [3, 4],
        lastPurchaseDaysMin: 30,
        lastPurchaseDaysMax: 90,
        spendFenMin: 1000000,
        rfmSegments: ['high_value', 'potential'],
      }),
    ).toEqual([
      '会员等级：金卡会员',
      '会员状态：新会员、沉睡',
      '生日月份：3月、4月',
      '距上次消费：30–90 天',
      '近12个月消费：¥10,000以上',
      '客户分层：高价值、潜力',
    ]);
    expect(describeAudience({ lastPurchaseDaysMax: 7 })).toEqual(['距上次消费：7 天以内']);
    expect(describeAudience({ spendFenMin: 5000, spendFenMax: 5000 })).toEqual(['近12个月消费：¥50']);
  });

  it('gives the reachable share to a tenth of a percent', () => {
    expect(reachShare(2, 1)).toBe('50%');
    expect(reachShare(3, 1)).toBe('33.3%');
    expect(reachShare(8, 0)).toBe('0%');
    expect(reachShare(0, 0)).toBe('—');
  });

  it('keys a preview question by filter and kind', () => {
    expect(previewKey({ tiers: ['gold'] }, null)).toBe(previewKey({ tiers: ['gold'] }, null));
    expect(previewKey({ tiers: ['gold'] }, 'birthday')).not.toBe(previewKey({ tiers: ['gold'] }, null));
  });
});
