/**
 * Subscription messages (订阅消息) as the app reads and writes them: which kinds to ask for at a moment, what
 * `requestSubscribeMessage` answered, the report to the server, and the words the pages show. Pure: no Taro,
 * no network, so jest checks it in node.
 */
import {
  MAX_TEMPLATES_PER_SUBSCRIBE_CALL,
  SUBSCRIBE_DECISIONS,
  type MessageKindView,
  type MessagePreferencesResponse,
  type ReportSubscriptionsRequest,
  type SubscribeDecision,
  type SubscribeMoment,
} from '@member/shared';

/**
 * The kinds to ask for at `moment`: the ones the server lists for it (enabled ones only), in its order, that
 * have no accept left to use. When every one of them can already receive a message, nothing is asked: a sheet
 * the member has nothing to gain from is a sheet they learn to refuse. Never more than one call's worth, and
 * never two of the same template or the same title (WeChat would filter the second one out).
 */
export function kindsToAsk(preferences: MessagePreferencesResponse, moment: SubscribeMoment): MessageKindView[] {
  const picked: MessageKindView[] = [];
  for (const kind of preferences.moments[moment] ?? []) {
    const view = preferences.kinds.find((k) => k.kind === kind);
    if (!view || !view.enabled || view.remaining > 0 || !view.templateId) continue;
    if (picked.some((p) => p.templateId === view.templateId || p.title === view.title)) continue;
    picked.push(view);
    if (picked.length === MAX_TEMPLATES_PER_SUBSCRIBE_CALL) break;
  }
  return picked;
}

/** Template id → title, for the H5 stand-in of WeChat's sheet (WeChat's own sheet reads the titles itself). */
export function titlesOf(kinds: readonly MessageKindView[]): Record<string, string> {
  const titles: Record<string, string> = {};
  for (const view of kinds) titles[view.templateId] = view.title;
  return titles;
}

function isDecision(value: unknown): value is SubscribeDecision {
  return typeof value === 'string' && (SUBSCRIBE_DECISIONS as readonly string[]).includes(value);
}

/**
 * What `requestSubscribeMessage` answered → template id → decision, for the ids that were asked only. A success
 * carries the decisions as dynamic keys beside `errMsg` (dropped here); a failure ("…:fail …", errCode 20004 when
 * the member turned WeChat's main switch off, network, banned app…) decided nothing, so it gives {}.
 */
export function decisionsOf(result: unknown, asked: readonly string[]): Record<string, SubscribeDecision> {
  if (!result || typeof result !== 'object') return {};
  const answer = result as Record<string, unknown>;
  if (typeof answer.errMsg === 'string' && !/:ok\b/i.test(answer.errMsg)) return {};
  const decisions: Record<string, SubscribeDecision> = {};
  for (const id of asked) {
    const value = answer[id];
    if (id !== 'errMsg' && isDecision(value)) decisions[id] = value;
  }
  return decisions;
}

/** The report of one call; null when the call decided nothing (there is nothing to tell the server). */
export function buildReport(
  results: Record<string, SubscribeDecision>,
  moment: SubscribeMoment,
  idempotencyKey: string,
): ReportSubscriptionsRequest | null {
  const clean: Record<string, SubscribeDecision> = {};
  for (const [id, decision] of Object.entries(results)) if (isDecision(decision)) clean[id] = decision;
  if (Object.keys(clean).length === 0) return null;
  return { results: clean, moment, idempotencyKey };
}

/** How many templates the member accepted in this answer. */
export function acceptedCount(results: Record<string, SubscribeDecision>): number {
  return Object.values(results).filter((d) => d === 'accept').length;
}

/** The H5 sheet's text: "允许发送：优惠券到账提醒、优惠券过期提醒". */
export function subscribeSheetText(titles: readonly string[]): string {
  return `允许发送：${titles.join('、')}`;
}

/** A kind's count as the member reads it: "可接收 2 条", or "未开启" when nothing can be sent. */
export function remainingText(remaining: number): string {
  return remaining > 0 ? `可接收 ${remaining} 条` : '未开启';
}

export type KindStatus = 'on' | 'waiting' | 'off';

/**
 * One state per kind, never two that contradict each other (a switch on beside "未订阅"): switched off here is
 * 已关闭 whatever WeChat allows; switched on with messages left is 已开启 · 可接收 N 条; switched on with none
 * left is 未开启, with when it can be turned on (the moment the app offers it next).
 */
export function kindStatus(
  view: Pick<MessageKindView, 'kind' | 'enabled' | 'remaining'>,
  preferences: Pick<MessagePreferencesResponse, 'moments'>,
): {
  status: KindStatus;
  text: string;
} {
  if (!view.enabled) return { status: 'off', text: '已关闭' };
  if (view.remaining > 0) return { status: 'on', text: `已开启 · ${remainingText(view.remaining)}` };
  const moments = preferences.moments;
  const hint = (moments.coupon_claimed ?? []).includes(view.kind)
    ? '下次领券时可开启'
    : (moments.birthday_set ?? []).includes(view.kind)
      ? '保存生日时可开启'
      : '点下方按钮即可开启';
  return { status: 'waiting', text: `未开启 · ${hint}` };
}

/** The kinds that can reach the member right now: switched on here, with an accept left to use. */
export function activeKinds(preferences: MessagePreferencesResponse): MessageKindView[] {
  return preferences.kinds.filter((k) => k.enabled && k.remaining > 0);
}

/** The card's line under "消息通知": "已开启 2 项", or "未开启". */
export function messagesSummary(preferences: MessagePreferencesResponse): string {
  const active = activeKinds(preferences).length;
  return active > 0 ? `已开启 ${active} 项` : '未开启';
}
