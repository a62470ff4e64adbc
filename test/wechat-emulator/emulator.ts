// An HTTP server speaking api.weixin.qq.com's and api.mch.weixin.qq.com's (WeChat Pay v3) protocols, for
// tests and the local demo. Routes come from per-area modules (routes/*, pay/*).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Clock } from './clock';
import { payDevRoutes } from './pay/dev';
import { payFaultReply } from './pay/protocol';
import { payRoutes } from './pay/routes';
import { PayState, type PayOptions } from './pay/state';
import { ERRMSG, type Ctx, Halt, isPayEndpoint, type Reply, type Route, wxError } from './protocol';
import { devRoutes } from './routes/dev';
import { loginRoutes } from './routes/login';
import { phoneRoutes } from './routes/phone';
import { subscribeRoutes } from './routes/subscribe';
import { tokenRoutes } from './routes/token';
import { wxacodeRoutes } from './routes/wxacode';
import { type AppConfig, EmulatorState, type TemplateConfig } from './state';

export interface EmulatorOptions {
  /** 0 or omitted = a random free port. */
  port?: number;
  /** Loopback only: nothing outside this machine should reach a fake WeChat. */
  host?: '127.0.0.1';
  apps: AppConfig[];
  /** Defaults for apps that set none of their own. */
  templates?: TemplateConfig[];
  pages?: string[];
  /** Base clock (ms); /dev/clock moves the emulator ahead of it. */
  now?: () => number;
  /** One line per request; the CLI sends it to stderr, tests leave it off. */
  log?: (line: string) => void;
  /** WeChat Pay v3 (merchants, platform keys, notification timing). Without it, pay routes answer as to an unknown merchant. */
  pay?: PayOptions;
}

export interface Emulator {
  server: Server;
  state: EmulatorState;
}

export interface RunningEmulator {
  url: string;
  port: number;
  state: EmulatorState;
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-max-age': '600',
};

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply, extraHeaders: Record<string, string>): void {
  const status = reply.status ?? 200;
  let payload: Buffer | string;
  let type: string;
  if (reply.json !== undefined) {
    payload = JSON.stringify(reply.json);
    type = 'application/json; charset=UTF-8';
  } else {
    payload = reply.body ?? '';
    type = reply.contentType ?? 'text/plain; charset=UTF-8';
  }
  res.writeHead(status, { ...extraHeaders, ...reply.headers, 'content-type': type, 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

function summary(reply: Reply): string {
  const json = reply.json as { errcode?: number; error?: string } | undefined;
  if (json?.errcode !== undefined && json.errcode !== 0) return `errcode ${json.errcode}`;
  if (json?.error) return json.error;
  // Pay answers are serialized before sending (they are signed), so read the code back from the body.
  if ((reply.status ?? 200) >= 400 && typeof reply.body === 'string') return /"code":"([A-Z_]+)"/.exec(reply.body)?.[1] ?? '';
  return '';
}

export function createEmulator(options: EmulatorOptions): Emulator {
  const apps = options.apps.map((app) => ({
    ...app,
    templates: app.templates ?? options.templates,
    pages: app.pages ?? options.pages,
  }));
  const clock = new Clock(options.now);
  const state = new EmulatorState(apps, clock, new PayState(options.pay, clock, options.log));
  const routes = new Map<string, Route>();
  const patternRoutes: Route[] = [];
  const all = [
    ...loginRoutes,
    ...tokenRoutes,
    ...phoneRoutes,
    ...subscribeRoutes,
    ...wxacodeRoutes,
    ...devRoutes,
    ...payRoutes,
    ...payDevRoutes,
  ];
  for (const route of all) {
    if (route.pattern) patternRoutes.push(route);
    else routes.set(route.path, route);
  }

  async function dispatch(req: IncomingMessage, headers: Record<string, string>): Promise<Reply> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const isDev = url.pathname.startsWith('/dev/');
    if (isDev) {
      Object.assign(headers, CORS, {
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'content-type',
      });
      if (method === 'OPTIONS') return { status: 204 };
    }
    const rawBody = await readBody(req);
    const route = routes.get(url.pathname) ?? patternRoutes.find((r) => r.pattern?.test(url.pathname));
    if (!route) return { status: 404, json: wxError(40066, 'invalid url').json };
    let params: Record<string, string> = {};
    if (route.pattern) {
      const groups = route.pattern.exec(url.pathname)?.groups ?? {};
      try {
        params = Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, decodeURIComponent(v)]));
      } catch {
        params = groups;
      }
    }
    if (route.methods && !route.methods.includes(method)) {
      return isDev ? { status: 405, json: { error: `use ${route.methods.join(' or ')}` } } : wxError(43002, 'require POST method');
    }
    if (route.endpoint) {
      state.calls[route.endpoint]++;
      const fault = state.takeFault(route.endpoint);
      if (fault?.delayMs) await sleep(fault.delayMs);
      // WeChat Pay fails with a real status and a signed {code, message}.
      if (fault && isPayEndpoint(route.endpoint) && (fault.httpStatus !== undefined || fault.code !== undefined)) {
        return payFaultReply(state.pay, fault, req.headers['wechatpay-serial']);
      }
      // An HTTP-level failure looks like WeChat's gateway: an HTML page, not JSON.
      if (fault?.httpStatus) {
        return { status: fault.httpStatus, body: `<html><body><h1>${fault.httpStatus}</h1></body></html>`, contentType: 'text/html' };
      }
      if (fault?.errcode !== undefined) return wxError(fault.errcode, ERRMSG[fault.errcode] ?? 'injected fault');
    }
    const ctx: Ctx = {
      method,
      url: req.url ?? '/',
      path: url.pathname,
      params,
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      state,
    };
    return await route.handle(ctx);
  }

  const server = createServer((req, res) => {
    const headers: Record<string, string> = {};
    const started = Date.now();
    dispatch(req, headers)
      .catch((err: unknown): Reply => {
        if (err instanceof Halt) return err.reply;
        options.log?.(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        return wxError(-1, ERRMSG[-1]);
      })
      .then((reply) => {
        send(res, reply, headers);
        const path = (req.url ?? '').split('?')[0];
        const parts = [req.method, path, reply.status ?? 200, summary(reply), `${Date.now() - started}ms`];
        options.log?.(parts.filter((part) => part !== '').join(' '));
      });
  });
  return { server, state };
}

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const { server, state } = createEmulator(options);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        state.pay.stop(); // notification retries and refund settlement timers
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets (fetch keeps them) would hold close() open.
        server.closeAllConnections();
      }),
  };
}
