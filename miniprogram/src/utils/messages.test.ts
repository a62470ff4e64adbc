import { describe, expect, it } from '@jest/globals';
import type { MessageKind, MessageKindView, MessagePreferencesResponse } from '@member/shared';
import {
  acceptedCount,
  buildReport,
  decisionsOf,
  kindsToAsk,
  messagesSummary,
  kindStatus,
  remainingText,
  subscribeSheetText,
  titlesOf,
} from './messages';

const TITLES: Record<MessageKind, string> = {
  birthday: '生日祝福',
  coupon_arrived: '优惠券到账提醒',
  coupon_expiring: '优惠券过期提醒',
  reactivation: '专属回归礼',
  points_change: '积分变动提醒',
  service_reply: '服务进度提醒',
};

function view(kind: MessageKind, patch: Partial<MessageKindView> = {}): MessageKindView {
  return {
    kind,
    title: TITLES[kind],
    description: `${TITLES[kind]}说明`,
    templateId: `tmpl-${kind}`,
    remaining: 0,
    enabled: true,
    ...patch,
  };
}

function preferences(
  patches: Partial<Record<MessageKind, Partial<MessageKindView>>> = {},
  moments?: Partial<MessagePreferencesResponse['moments']>,
): MessagePreferencesResponse {
  return {
    kinds: (Object.keys(TITLES) as MessageKind[]).map((kind) => view(kind, patches[kind])),
    moments: {
      coupon_claimed: ['coupon_arrived', 'coupon_expiring'],
      birthday_set: ['birthday'],
      notify_me: ['coupon_arrived', 'reactivation', 'points_change'],
      feedback_raised: ['service_reply'],
      ...moments,
    },
  };
}

const ids = (views: MessageKindView[]) => views.map((v) => v.templateId);

describe('which kinds a moment asks for', () => {
  it("asks for the moment's kinds, in the server's order, that have nothing left to send", () => {
    expect(ids(kindsToAsk(preferences(), 'coupon_claimed'))).toEqual(['tmpl-coupon_arrived', 'tmpl-coupon_expiring']);
    expect(ids(kindsToAsk(preferences({ coupon_arrived: { remaining: 1 } }), 'coupon_claimed'))).toEqual(['tmpl-coupon_expiring']);
    expect(ids(kindsToAsk(preferences(), 'birthday_set'))).toEqual(['tmpl-birthday']);
  });

  it('asks nothing when every kind of the moment can already receive a message', () => {
    expect(kindsToAsk(preferences({ coupon_arrived: { remaining: 1 }, coupon_expiring: { remaining: 3 } }), 'coupon_claimed')).toEqual([]);
  });

  it('never asks for a kind the member switched off, one the server does not describe, or no kinds at all', () => {
    expect(ids(kindsToAsk(preferences({ coupon_expiring: { enabled: false } }), 'coupon_claimed'))).toEqual(['tmpl-coupon_arrived']);
    const unknown = preferences({}, { coupon_claimed: ['coupon_arrived', 'nope' as MessageKind] });
    expect(ids(kindsToAsk(unknown, 'coupon_claimed'))).toEqual(['tmpl-coupon_arrived']);
    expect(kindsToAsk(preferences({}, { notify_me: [] }), 'notify_me')).toEqual([]);
    expect(kindsToAsk({ kinds: [], moments: {} as MessagePreferencesResponse['moments'] }, 'notify_me')).toEqual([]);
  });

  it('asks for at most 3 templates, never the same template or title twice (WeChat would filter it)', () => {
    const all = preferences({}, { notify_me: ['birthday', 'coupon_arrived', 'coupon_expiring', 'reactivation', 'points_change'] });
    expect(ids(kindsToAsk(all, 'notify_me'))).toEqual(['tmpl-birthday', 'tmpl-coupon_arrived', 'tmpl-coupon_expiring']);
    const shared = preferences(
      { coupon_expiring: { templateId: 'tmpl-coupon_arrived' }, points_change: { title: '专属回归礼' } },
      { notify_me: ['coupon_arrived', 'coupon_expiring', 'reactivation', 'points_change', 'birthday'] },
    );
    expect(ids(kindsToAsk(shared, 'notify_me'))).toEqual(['tmpl-coupon_arrived', 'tmpl-reactivation', 'tmpl-birthday']);
  });

  it('gives the H5 sheet the titles by template id', () => {
    const asked = kindsToAsk(preferences(), 'coupon_claimed');
    expect(titlesOf(asked)).toEqual({ 'tmpl-coupon_arrived': '优惠券到账提醒', 'tmpl-coupon_expiring': '优惠券过期提醒' });
    expect(subscribeSheetText(asked.map((k) => k.title))).toBe('允许发送：优惠券到账提醒、优惠券过期提醒');
  });
});

describe('what requestSubscribeMessage answered', () => {
  const asked = ['T1', 'T2', 'T3'];

  it('keeps the decisions for the asked ids and drops errMsg', () => {
    expect(decisionsOf({ errMsg: 'requestSubscribeMessage:ok', T1: 'accept', T2: 'reject', T3: 'ban' }, asked)).toEqual({
      T1: 'accept',
      T2: 'reject',
      T3: 'ban',
    });
    expect(decisionsOf({ errMsg: 'requestSubscribeMessage:ok', T1: 'filter' }, asked)).toEqual({ T1: 'filter' });
  });

  it('ignores ids that were not asked and values that are not decisions', () => {
    expect(decisionsOf({ errMsg: 'requestSubscribeMessage:ok', T1: 'accept', OTHER: 'accept', T2: 'maybe', T3: 1 }, asked)).toEqual({
      T1: 'accept',
    });
    expect(decisionsOf({ errMsg: 'requestSubscribeMessage:ok', errMsg2: 'accept' }, ['errMsg'])).toEqual({});
  });

  it('a failed call decided nothing (main switch off, over the limit, no network)', () => {
    expect(decisionsOf({ errMsg: 'requestSubscribeMessage:fail main switch is off', errCode: 20004 }, asked)).toEqual({});
    expect(
      decisionsOf({ errMsg: 'requestSubscribeMessage:fail Templates count out of max bounds', errCode: 20003, T1: 'accept' }, asked),
    ).toEqual({});
    expect(decisionsOf(null, asked)).toEqual({});
    expect(decisionsOf('requestSubscribeMessage:ok', asked)).toEqual({});
  });

  it('counts the accepts', () => {
    expect(acceptedCount({ T1: 'accept', T2: 'reject', T3: 'accept' })).toBe(2);
    expect(acceptedCount({})).toBe(0);
  });
});

describe('the report to the server', () => {
  it('carries the decisions, the moment and the key', () => {
    expect(buildReport({ T1: 'accept', T2: 'reject' }, 'coupon_claimed', 'k-1234567890')).toEqual({
      results: { T1: 'accept', T2: 'reject' },
      moment: 'coupon_claimed',
      idempotencyKey: 'k-1234567890',
    });
  });

  it('is not sent when nothing was decided', () => {
    expect(buildReport({}, 'notify_me', 'k-1234567890')).toBeNull();
    expect(buildReport({ T1: 'later' as never }, 'notify_me', 'k-1234567890')).toBeNull();
  });
});

describe('how the pages say it', () => {
  it('counts what each kind may still receive', () => {
    expect([0, 1, 12].map(remainingText)).toEqual(['未开启', '可接收 1 条', '可接收 12 条']);
  });

  it('sums up on the card the kinds that can reach the member', () => {
    expect(messagesSummary(preferences())).toBe('未开启');
    expect(messagesSummary(preferences({ coupon_arrived: { remaining: 1 }, coupon_expiring: { remaining: 2 } }))).toBe('已开启 2 项');
    expect(messagesSummary(preferences({ coupon_arrived: { remaining: 1 }, coupon_expiring: { remaining: 2, enabled: false } }))).toBe(
      '已开启 1 项',
    );
  });
});

describe('kindStatus', () => {
  const moments = { coupon_claimed: ['coupon_arrived'], birthday_set: ['birthday_greeting'], notify_me: [] } as never;
  it('says one thing per kind: off wins, then what can be received, then when it can be turned on', () => {
    expect(kindStatus({ kind: 'coupon_arrived', enabled: false, remaining: 3 }, { moments })).toEqual({ status: 'off', text: '已关闭' });
    expect(kindStatus({ kind: 'coupon_arrived', enabled: true, remaining: 2 }, { moments }).text).toBe('已开启 · 可接收 2 条');
    expect(kindStatus({ kind: 'coupon_arrived', enabled: true, remaining: 0 }, { moments }).text).toBe('未开启 · 下次领券时可开启');
    expect(kindStatus({ kind: 'birthday_greeting', enabled: true, remaining: 0 } as never, { moments }).text).toBe(
      '未开启 · 保存生日时可开启',
    );
  });
});
