import { MAX_TOKEN_REFRESH_AHEAD_SECONDS } from '@member/config';
import { Logger } from '@nestjs/common';
import type { Clock } from '../common/clock';
import type { WechatHttp } from './wechat.http';
import { WechatUnavailableError } from './wechat.errors';

interface CachedToken {
  value: string;
  expiresAtMs: number;
  /** From then on the next caller fetches again (one fetch, shared by everyone who asks meanwhile). */
  refreshAtMs: number;
}

/** The endpoint label of the access_token fetch, on the errors it throws: nothing was sent to WeChat but the token. */
export const ACCESS_TOKEN_ENDPOINT = 'stable_token';
/**
 * The mini-program's access_token. It comes from /cgi-bin/stable_token in normal mode, which hands every
 * caller the same token while it is valid: N server instances can each cache it without invalidating one
 * another (each /cgi-bin/token call would replace the others' tokens and cause 40001s). Within a process one
 * refresh runs at a time and everyone waiting shares it; a token is refreshed `refreshAheadSeconds` before
 * it expires, and at once when WeChat rejects it (40001/42001).
 *
 * One fetch per refresh window: stable_token rolls its token over only in the token's last 300 s, so a fetch
 * in our window can bring back the very token we hold (a lead near 300 s and whole-second `expires_in`, or an
 * instance that started mid-life). That token is then kept until it runs out rather than fetched again on
 * every call until WeChat rolls it over.
 */
export class AccessTokenProvider {
  private readonly logger = new Logger(AccessTokenProvider.name);
  private cached: CachedToken | null = null;
  private refreshing: Promise<CachedToken> | null = null;

  constructor(
    private readonly http: WechatHttp,
    private readonly credentials: { appid: string; secret: string },
    private readonly refreshAheadSeconds: number,
    private readonly clock: Clock,
  ) {
    // The config schema refuses more; a caller that bypasses it would hammer stable_token.
    if (!(refreshAheadSeconds >= 0 && refreshAheadSeconds <= MAX_TOKEN_REFRESH_AHEAD_SECONDS)) {
      throw new Error(`refreshAheadSeconds must be 0-${MAX_TOKEN_REFRESH_AHEAD_SECONDS}, got ${refreshAheadSeconds}`);
    }
  }

  async getToken(): Promise<string> {
    if (this.cached && this.clock.now().getTime() < this.cached.refreshAtMs) return this.cached.value;
    return (await this.refresh()).value;
  }

  /** WeChat rejected `token`: forget it unless a newer one has already replaced it. */
  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = null;
  }

  private refresh(): Promise<CachedToken> {
    this.refreshing ??= this.fetchStableToken().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async fetchStableToken(): Promise<CachedToken> {
    const body = await this.http.postJson<{ access_token: string; expires_in: number }>(ACCESS_TOKEN_ENDPOINT, '/cgi-bin/stable_token', {
      grant_type: 'client_credential',
      appid: this.credentials.appid,
      secret: this.credentials.secret,
      force_refresh: false,
    });
    if (typeof body.access_token !== 'string' || typeof body.expires_in !== 'number') {
      // Not WeChat's protocol: callers treat it as WeChat being unreachable (a message waits and is tried again).
      throw new WechatUnavailableError(ACCESS_TOKEN_ENDPOINT, 'answered without access_token/expires_in');
    }
    const now = this.clock.now().getTime();
    const expiresAtMs = now + body.expires_in * 1000;
    const aheadMs = this.refreshAheadSeconds * 1000;
    // Already inside our window: asking again before it expires would only bring the same token back.
    const refreshAtMs = body.expires_in * 1000 > aheadMs ? expiresAtMs - aheadMs : expiresAtMs;
    this.cached = { value: body.access_token, expiresAtMs, refreshAtMs };
    this.logger.log({ expiresInSeconds: body.expires_in }, 'access token refreshed');
    return this.cached;
  }
}
