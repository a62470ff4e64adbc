import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listenLocally, startTestApp, type TestApp } from '../testing/test-app';

/**
 * The two header sets over real HTTP: the H5 page gets a CSP it can run under (its inline sizing script allowed by
 * hash, nothing else inline), and every answer under /api (a success, a refusal, an unknown path) gets the API's:
 * a CSP allowing nothing, no framing, this site only, HTTPS only, no sniffing, no caching.
 */
describe('security headers', () => {
  const inlineScript = 'document.documentElement.style.fontSize = "20px";';
  let t: TestApp;
  let base: string;
  let h5Dir: string;

  beforeAll(async () => {
    h5Dir = mkdtempSync(join(tmpdir(), 'h5-headers-'));
    writeFileSync(join(h5Dir, 'index.html'), `<!doctype html><html><head><script>${inlineScript}</script></head><body></body></html>`);
    t = await startTestApp('sqlite', { H5_STATIC_DIR: h5Dir });
    base = await listenLocally(t.app);
  });
  afterAll(async () => {
    await t?.close();
    rmSync(h5Dir, { recursive: true, force: true });
  });

  const directivesOf = (csp: string | null) =>
    new Map(
      (csp ?? '')
        .split(';')
        .map((directive) => directive.trim().split(/\s+/))
        .filter((parts) => parts[0])
        .map(([name, ...values]) => [name, values]),
    );

  it('gives the H5 page a policy it runs under: its own scripts and the hashed inline one', async () => {
    const page = await fetch(`${base}/index.html`);
    expect(page.status).toBe(200);
    const csp = directivesOf(page.headers.get('content-security-policy'));
    const hash = `'sha256-${createHash('sha256').update(inlineScript).digest('base64')}'`;
    expect(csp.get('script-src')).toEqual(["'self'", hash]);
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.has('upgrade-insecure-requests')).toBe(false);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it.each([
    ['a success', '/api/health', 200],
    ['a refusal', '/api/members/me', 401],
    ['an unknown path', '/api/no-such-route', 404],
  ])('gives %s under /api the API headers: nothing allowed, never framed, never cached', async (_what, path, status) => {
    const answer = await fetch(`${base}${path}`);
    expect(answer.status).toBe(status);
    const csp = directivesOf(answer.headers.get('content-security-policy'));
    expect(Object.fromEntries(csp)).toEqual({ 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] });
    expect(answer.headers.get('x-frame-options')).toBe('DENY');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(answer.headers.get('strict-transport-security')).toMatch(/^max-age=\d+; includeSubDomains$/);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    // The page-only headers stay off a JSON answer.
    for (const pageOnly of ['referrer-policy', 'cross-origin-opener-policy', 'x-dns-prefetch-control', 'x-download-options'])
      expect(answer.headers.get(pageOnly)).toBeNull();
  });
});
