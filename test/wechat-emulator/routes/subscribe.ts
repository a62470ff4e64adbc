// POST /cgi-bin/message/subscribe/send: one send per "accept" the user gave in wx.requestSubscribeMessage.
import { type Ctx, jsonObject, type Reply, requireToken, type Route, str, wxError, wxOk } from '../protocol';
import type { AppConfig, TemplateConfig } from '../state';
// WeChat's rules as the emulator has them, independent of the server's (see subscribe-rules.ts).
import { acceptsValue, refusedInPractice, typeFromKey } from '../subscribe-rules';

const STATES = ['developer', 'trial', 'formal'];
const LANGS = ['zh_CN', 'en_US', 'zh_HK', 'zh_TW'];

/** The app's template with this id; an app without a template list accepts any id. */
export function findTemplate(app: AppConfig, id: string): TemplateConfig | undefined {
  return app.templates ? app.templates.find((t) => t.id === id) : { id };
}

/** The type of `key` in `template`, or undefined when the template has no such key. */
export function fieldType(template: TemplateConfig, key: string): string | undefined {
  if (!template.keys) return typeFromKey(key);
  if (!(key in template.keys)) return undefined;
  return template.keys[key] || typeFromKey(key);
}

/** "pages/x/index?y=1" and "/pages/x/index" both name page "pages/x/index". */
export function isReleasedPage(app: AppConfig, page: string): boolean {
  const norm = (p: string) => p.split('?')[0].replace(/^\/+/, '');
  return !app.pages || app.pages.some((p) => norm(p) === norm(page));
}

const invalid = (what: string): Reply => wxError(47003, `argument invalid! ${what} invalid`);

function send(ctx: Ctx): Reply {
  const { app } = requireToken(ctx);
  if (!ctx.state.takeSendCapacity()) return wxError(45011, 'api minute-quota reach limit mostly 100 times per minute');
  const body = jsonObject(ctx);
  const { state } = ctx;
  // WeChat's order: who, which template, what content, where it leads, then whether the user allows it.
  const touser = str(body.touser);
  if (!touser || state.users.get(touser)?.appid !== app.appid) return wxError(40003, 'invalid openid');
  const templateId = str(body.template_id);
  const template = templateId === undefined ? undefined : findTemplate(app, templateId);
  if (!templateId || !template) return wxError(40037, 'invalid template_id');

  const data = body.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return invalid('data');
  const fields: Record<string, { value: string }> = {};
  for (const [key, entry] of Object.entries(data as Record<string, unknown>)) {
    const type = fieldType(template, key);
    const value = typeof entry === 'object' && entry !== null ? (entry as { value?: unknown }).value : undefined;
    // Values must be JSON strings; a number is a data error in our server, so it fails here too.
    if (type === undefined || typeof value !== 'string' || !acceptsValue(type, value) || refusedInPractice(type, value))
      return invalid(`data.${key}.value`);
    fields[key] = { value };
  }
  if (Object.keys(fields).length === 0) return invalid('data');

  const miniprogramState = body.miniprogram_state ?? 'formal';
  if (typeof miniprogramState !== 'string' || !STATES.includes(miniprogramState)) return invalid('miniprogram_state');
  const lang = body.lang ?? 'zh_CN';
  if (typeof lang !== 'string' || !LANGS.includes(lang)) return invalid('lang');
  const page = body.page;
  if (page !== undefined && (typeof page !== 'string' || !isReleasedPage(app, page))) return wxError(41030, 'invalid page');

  // No quota (never accepted, or every accept already used) reads as the user refusing.
  if (state.getQuota(touser, templateId) <= 0) return wxError(43101, 'user refuse to accept the msg');
  state.addQuota(touser, templateId, -1);
  const msgid = state.nextMsgId();
  const sentAt = state.clock.now();
  state.inbox.push({
    msgid,
    appid: app.appid,
    touser,
    template_id: templateId,
    ...(page !== undefined ? { page: page as string } : {}),
    miniprogram_state: miniprogramState,
    lang,
    data: fields,
    sentAt,
    sentTime: new Date(sentAt).toISOString(),
  });
  // A bare JSON number, as WeChat sends it: JSON.stringify cannot write one this large, so it is spliced in.
  const text = JSON.stringify(wxOk({ msgid: 0 }).json).replace('"msgid":0', `"msgid":${msgid}`);
  return { body: text, contentType: 'application/json; charset=UTF-8' };
}

export const subscribeRoutes: Route[] = [
  { path: '/cgi-bin/message/subscribe/send', methods: ['POST'], endpoint: 'subscribe_send', handle: send },
];
