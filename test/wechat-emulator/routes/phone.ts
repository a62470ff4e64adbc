// POST /wxa/business/getuserphonenumber: exchanges the getPhoneNumber button's code for the number.
import { ERRMSG, type Ctx, jsonObject, type Reply, requireToken, type Route, str, wxError, wxOk } from '../protocol';
import { CODE_TTL_MS } from '../state';

function getUserPhoneNumber(ctx: Ctx): Reply {
  const { app } = requireToken(ctx);
  const body = jsonObject(ctx);
  const code = str(body.code);
  if (!code) return wxError(41008, 'missing code');
  if (code.startsWith('busy_')) return wxError(-1, ERRMSG[-1]);
  const { state } = ctx;
  const now = state.clock.now();
  const issued = state.phoneCodes.get(code);
  // Unknown, another app's, expired and already used all answer the same 40029.
  if (!issued || issued.appid !== app.appid || issued.used || now - issued.issuedAt >= CODE_TTL_MS) {
    return wxError(40029, ERRMSG[40029]);
  }
  // The optional openid must be the user who tapped the button.
  const openid = str(body.openid);
  if (openid !== undefined && openid !== issued.openid) return wxError(40029, ERRMSG[40029]);
  issued.used = true;
  const pure = issued.purePhoneNumber;
  const asNumber = (issued.countryCodeAs ?? (Math.random() < 0.5 ? 'string' : 'number')) === 'number';
  return wxOk({
    phone_info: {
      // Mainland numbers come back without a prefix; others as "+<cc> <number>".
      phoneNumber: issued.countryCode === '86' ? pure : `+${issued.countryCode} ${pure}`,
      purePhoneNumber: pure,
      // Documented as a string, shown as a number in WeChat's own example: both reach clients.
      countryCode: asNumber ? Number(issued.countryCode) : issued.countryCode,
      watermark: { timestamp: state.clock.nowSeconds(), appid: app.appid },
    },
  });
}

export const phoneRoutes: Route[] = [
  {
    path: '/wxa/business/getuserphonenumber',
    methods: ['POST'],
    endpoint: 'getuserphonenumber',
    handle: getUserPhoneNumber,
  },
];
