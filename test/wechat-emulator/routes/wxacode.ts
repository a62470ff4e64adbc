// POST /wxa/getwxacodeunlimit: a mini-program code for a scene. Success is image bytes, errors are
// JSON, so clients must branch on Content-Type. The image is a 1×1 PNG: only its type matters here.
import { type Ctx, jsonObject, type Reply, requireToken, type Route, wxError } from '../protocol';
import { isReleasedPage } from './subscribe';

const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
/** ≤ 32 visible characters from the set WeChat allows. */
const SCENE_RE = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$/;

function getUnlimited(ctx: Ctx): Reply {
  const { app } = requireToken(ctx);
  const body = jsonObject(ctx);
  if (typeof body.scene !== 'string' || !SCENE_RE.test(body.scene)) return wxError(40169, 'invalid length for scene');
  const page = body.page;
  if (page !== undefined) {
    // The page may not carry a query (the scene is the query), and must be released unless check_path is false.
    if (typeof page !== 'string' || page.includes('?')) return wxError(41030, 'invalid page');
    if (body.check_path !== false && !isReleasedPage(app, page)) return wxError(41030, 'invalid page');
  }
  return { body: PNG_1X1, contentType: 'image/png' };
}

export const wxacodeRoutes: Route[] = [
  { path: '/wxa/getwxacodeunlimit', methods: ['POST'], endpoint: 'getwxacodeunlimit', handle: getUnlimited },
];
