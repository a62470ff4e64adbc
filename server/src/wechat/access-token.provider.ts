import { Logger } from '@nestjs/common';
import type { Clock } from '../common/clock';
import type { WechatHttp } from './wechat.http';

interface CachedToken {
  value: string;
  expiresAtMs: number;
}

/**
 * The mini-program's access_token. It comes from /cgi-bin/stable_token in normal mode, which hands every
 * caller the same token while it is valid: N server instances can each cache it without invalidating one
 * another (each /cgi-bin/token call would replace the others' tokens and cause 40001s). Within a process one
 * refresh runs at a time; a token is refreshed `refreshAheadSeconds` before it expires, and at once when
 * WeChat rejects it (40001/42001).
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
  ) {}

  async getToken(): Promise<string> {
    const now = this.clock.now().getTime();
    if (this.cached && now < this.cached.expiresAtMs - this.refreshAheadSeconds * 1000) return this.cached.value;
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
    const body = await this.http.postJson<{ access_token: string; expires_in: number }>('stable_token', '/cgi-bin/stable_token', {
      grant_type: 'client_credential',
      appid: this.credentials.appid,
      secret: this.credentials.secret,
      force_refresh: false,
    });
    if (typeof body.access_token !== 'string' || typeof body.expires_in !== 'number') {
      throw new Error('stable_token answered without access_token/expires_in');
    }
    this.cached = { value: body.access_token, expiresAtMs: this.clock.now().getTime() + body.expires_in * 1000 };
    this.logger.log({ expiresInSeconds: body.expires_in }, 'access token refreshed');
    return this.cached;
  }
}
