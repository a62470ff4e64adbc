/** WeChat answered with a non-zero errcode. Callers branch on `errcode` only, never on errmsg. */
export class WechatApiError extends Error {
  constructor(
    readonly endpoint: string,
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`WeChat ${endpoint} failed with errcode ${errcode}`);
    this.name = 'WechatApiError';
  }
}

/** WeChat could not be reached, timed out, or answered something that is not its protocol. */
export class WechatUnavailableError extends Error {
  constructor(
    readonly endpoint: string,
    readonly reason: string,
  ) {
    super(`WeChat ${endpoint} unavailable: ${reason}`);
    this.name = 'WechatUnavailableError';
  }
}

/** errcodes that mean "this access_token is no good": get another and try once more. */
export const TOKEN_REJECTED_ERRCODES = new Set([40001, 42001, 40014]);
