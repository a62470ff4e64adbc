import { describe, expect, it } from '@jest/globals';
import { buildTemplateRequest, emptyTemplateForm, fieldOfServerPath, templateFormOf, type TemplateForm } from './template-form';

const NOW = new Date('2026-11-23T04:00:00Z'); // 12:00 in Shanghai
const blank = emptyTemplateForm('2026-11-23', '2026-12-23');
const form = (patch: Partial<TemplateForm>): TemplateForm => ({ ...blank, name: '满200减20', stock: '100', ...patch });

function errorsOf(patch: Partial<TemplateForm>) {
  const result = buildTemplateRequest(form(patch), NOW);
  if (!('errors' in result)) throw new Error('expected errors');
  return result.errors;
}
function requestOf(patch: Partial<TemplateForm>) {
  const result = buildTemplateRequest(form(patch), NOW);
  if (!('request' in result)) throw new Error(`unexpected errors ${JSON.stringify(result.errors)}`);
  return result.request;
}

describe('the new-coupon form', () => {
  it('turns a 满减 form into the request, in fen, with whole business days as windows', () => {
    const request = requestOf({ kind: 'cash_off', value: '20', threshold: '199.9' });
    expect(request.terms).toEqual({
      kind: 'cash_off',
      valueFen: 2000,
      thresholdFen: 19990,
      percentPermille: null,
      capFen: null,
      giftName: null,
      stacksWithMemberDiscount: false,
    });
    expect(request.validity).toEqual({ type: 'relative', validDays: 7 });
    // 2026-11-23 00:00:00 and 2026-12-23 23:59:59 in Asia/Shanghai.
    expect(request.claimStartsAt).toBe('2026-11-22T16:00:00.000Z');
    expect(request.claimEndsAt).toBe('2026-12-23T15:59:59.000Z');
    expect(request).not.toHaveProperty('audienceTiers');
    expect(request).not.toHaveProperty('description');
  });

  it.each([
    [{ kind: 'cash_off', value: '', threshold: '200' }, 'value'],
    [{ kind: 'cash_off', value: '20', threshold: '' }, 'threshold'],
    [{ kind: 'cash_off', value: '200', threshold: '200' }, 'value'],
    [{ kind: 'cash_off', value: '20.005', threshold: '200' }, 'value'],
    [{ kind: 'no_threshold', value: '0' }, 'value'],
    [{ kind: 'percent_off', percent: '10' }, 'percent'],
    [{ kind: 'percent_off', percent: '0' }, 'percent'],
    [{ kind: 'percent_off', percent: '8.5', cap: '0' }, 'cap'],
    [{ kind: 'gift', giftName: '   ' }, 'giftName'],
    [{ name: '  ' }, 'name'],
    [{ stock: '0' }, 'stock'],
    [{ stock: '1.5' }, 'stock'],
    [{ stock: '5', perMemberLimit: '6' }, 'perMemberLimit'],
    [{ validDays: '0' }, 'validDays'],
    [{ claimEnds: '2026-11-22' }, 'claimEnds'],
    [{ claimStarts: '2026-12-24' }, 'claimEnds'],
    [{ claimStarts: '2026-13-01' }, 'claimStarts'],
    [{ audience: 'tiers', tiers: [] }, 'tiers'],
    [{ validityType: 'fixed', validFrom: '2026-12-10', validUntil: '2026-12-01' }, 'validUntil'],
    [{ validityType: 'fixed', validFrom: '2026-11-01', validUntil: '2026-12-01', claimEnds: '2026-12-23' }, 'claimEnds'],
  ] as Array<[Partial<TemplateForm>, keyof TemplateForm]>)('refuses %j with a message on %s', (patch, field) => {
    const errors = errorsOf({ kind: 'no_threshold', value: '10', ...patch });
    expect(errors[field]).toMatch(/[\u4e00-\u9fa5]/);
  });

  it('sends a percentage coupon as per-mille with an optional cap and threshold', () => {
    expect(requestOf({ kind: 'percent_off', percent: '8.5' }).terms).toMatchObject({
      percentPermille: 850,
      capFen: null,
      thresholdFen: 0,
      valueFen: null,
    });
    expect(requestOf({ kind: 'percent_off', percent: '9', cap: '50', threshold: '100' }).terms).toMatchObject({
      percentPermille: 900,
      capFen: 5000,
      thresholdFen: 10000,
    });
  });

  it('sends the chosen tiers only for a tier audience, and a fixed window as whole days', () => {
    const request = requestOf({
      kind: 'gift',
      giftName: ' 帆布袋 ',
      audience: 'tiers',
      tiers: ['gold', 'diamond'],
      validityType: 'fixed',
      validFrom: '2026-12-01',
      validUntil: '2026-12-31',
      claimEnds: '2026-12-31',
    });
    expect(request.terms.giftName).toBe('帆布袋');
    expect(request.audienceTiers).toEqual(['gold', 'diamond']);
    expect(request.validity).toEqual({ type: 'fixed', validFrom: '2026-11-30T16:00:00.000Z', validUntil: '2026-12-31T15:59:59.000Z' });
  });

  it('prices a coupon in points for the points shop, or leaves it free', () => {
    expect(requestOf({ kind: 'no_threshold', value: '10', pointsPrice: '500' }).pointsPrice).toBe(500);
    expect(requestOf({ kind: 'no_threshold', value: '10', pointsPrice: ' ' })).not.toHaveProperty('pointsPrice');
    expect(errorsOf({ kind: 'no_threshold', value: '10', pointsPrice: '0' }).pointsPrice).toMatch(/积分/);
  });

  it('maps the server’s field paths back to the inputs', () => {
    expect(fieldOfServerPath('terms.valueFen')).toBe('value');
    expect(fieldOfServerPath('claimEndsAt')).toBe('claimEnds');
    expect(fieldOfServerPath('nonsense')).toBeNull();
  });
});

describe('a saved template back in the form', () => {
  it('round-trips: the form of a template builds the same request again', () => {
    const now = new Date('2026-12-01T02:00:00Z');
    const form = {
      ...emptyTemplateForm('2026-12-01', '2026-12-31'),
      name: '会员日满减券',
      value: '20',
      threshold: '200',
      stock: '100',
      description: '限门店使用',
    };
    const built = buildTemplateRequest(form, now);
    if (!('request' in built)) throw new Error('form should build');
    const view = {
      ...built.request,
      id: 7,
      description: built.request.description ?? null,
      pointsPrice: null,
      status: 'active' as const,
      claimedCount: 0,
      redeemedCount: 0,
      heldCount: 0,
      createdAt: now.toISOString(),
      liveBecause: null,
    };
    expect(buildTemplateRequest(templateFormOf(view), now)).toEqual(built);
    expect(templateFormOf(view, '会员日满减券 副本').name).toBe('会员日满减券 副本');
  });
});
