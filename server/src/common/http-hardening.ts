import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import type { AppConfig } from '@member/config';
import { API_PREFIX, errorMessage, type ApiErrorBody } from '@member/shared';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { jsonHasExponentNumber, WECHAT_AVATAR_HOSTS } from './validation';

/** sha256 sources for the inline scripts of the H5 index.html (Taro's rem-sizing snippet), so CSP can allow exactly them. */
export function inlineScriptHashes(indexHtml: string): string[] {
  const hashes: string[] = [];
  for (const match of indexHtml.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
    if (match[1]) hashes.push(`'sha256-${createHash('sha256').update(match[1], 'utf8').digest('base64')}'`);
  }
  return hashes;
}

/**
 * Helmet's headers, computed once. The policy is the same for every response, and @fastify/helmet builds helmet
 * again (parsing every CSP directive) on each request: that showed in the flash-claim profile. So helmet runs once
 * at start-up against a recording response, and each reply gets the recorded headers.
 */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
    getHeader: () => undefined,
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    failure = error;
  });
  if (failure) throw failure;
  return headers;
}

/**
 * The headers of every answer under /api (JSON, CSV exports, pictures), as OWASP's REST security guidance lists them
 * for an API: nothing in an API answer is a page, so its CSP allows nothing at all and no one may frame it; it is
 * read by this site alone (CORP), over HTTPS only (HSTS), never sniffed as another type, and `no-store`, since it
 * carries personal data that no shared cache or back button should keep (a route that says otherwise, avatars
 * immutable by hash, sets its own cache-control over it). The document headers (referrer, opener, DNS prefetch,
 * download and Flash policies) say nothing about a JSON answer; leaving them off API answers halves each answer's
 * headers, which showed as the answers' write in the flash-claim profile.
 */
export function apiSecurityHeaders(): Record<string, string> {
  const headers = helmetHeaders({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    crossOriginOpenerPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-origin' },
    originAgentCluster: false,
    referrerPolicy: false,
    strictTransportSecurity: true,
    xContentTypeOptions: true,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xFrameOptions: { action: 'deny' },
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
  return { ...headers, 'cache-control': 'no-store' };
}

/**
 * Security headers (helmet) with a CSP the H5 app served by this server still works under: its own scripts
 * plus the hashed inline sizing script, inline styles (Taro's web components set them), avatars from us and
 * WeChat's hosts, and in the demo the WeChat emulator it talks to. No upgrade-insecure-requests: the demo is
 * served over plain http. API answers get apiSecurityHeaders instead.
 */
export async function registerHttpHardening(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const h5Index = config.server.h5StaticDir ? resolve(config.server.h5StaticDir, 'index.html') : null;
  const scriptHashes = h5Index && existsSync(h5Index) ? inlineScriptHashes(readFileSync(h5Index, 'utf8')) : [];
  const emulator = config.demo.emulatorPublicUrl ? [new URL(config.demo.emulatorPublicUrl).origin] : [];
  const wechatImages = WECHAT_AVATAR_HOSTS.map((host) => `https://${host}`);
  const securityHeaders = helmetHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", ...scriptHashes],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:', ...wechatImages, ...emulator],
        // blob: the H5 avatar upload reads the picture the member chose (an object URL of this page) before posting it.
        connectSrc: ["'self'", 'blob:', ...emulator],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  });

  const fastify = app.getHttpAdapter().getInstance();
  // The headers go on before the route runs, so a route can set its own over them (an avatar's cache-control).
  // One callback hook, not an async onSend hook per response: each async hook is a promise per request, which
  // showed in the flash-claim profile.
  const apiHeaders = apiSecurityHeaders();
  const apiPath = `${API_PREFIX}/`;
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.headers(request.url.startsWith(apiPath) ? apiHeaders : securityHeaders);
    done();
  });
  // JSON.parse takes 1e3 as 1000, so a DTO cannot tell; numbers in request bodies are plain decimal only.
  // (WeChat Pay's notifications are WeChat's JSON, verified by signature, and left alone.)
  fastify.addHook('preHandler', (request, reply, done) => {
    const raw = (request as { rawBody?: Buffer | string }).rawBody;
    if (!raw || request.url.startsWith(`${API_PREFIX}/pay/notify`) || !/json/i.test(String(request.headers['content-type'] ?? '')))
      return done();
    if (!jsonHasExponentNumber(raw.toString())) return done();
    const body: ApiErrorBody = {
      code: 'VALIDATION_FAILED',
      message: errorMessage('VALIDATION_FAILED'),
      details: [{ path: '(body)', reason: 'numbers must be written in plain decimal (no exponent)' }],
      requestId: request.id,
    };
    // Answered here, so the chain stops: done() is not called.
    void reply.code(400).header('content-type', 'application/json; charset=utf-8').send(body);
  });
}
