/** A thin HTTP client for tests: what a mini-program (or an attacker) would send, and what came back. */
export interface ApiAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class TestApi {
  constructor(
    readonly baseUrl: string,
    readonly emulatorUrl: string,
    readonly appid: string,
  ) {}

  async call<T = any>(
    method: string,
    path: string,
    options: { body?: unknown; rawBody?: string; token?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${this.baseUrl}/api${path}`, { method, headers, body });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
  }

  async dev<T = any>(path: string, body: unknown): Promise<T> {
    const response = await fetch(`${this.emulatorUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appid: this.appid, ...(body as object) }),
    });
    if (!response.ok) throw new Error(`emulator ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  /** wx.login() for a named user, then our silent login. */
  async login(user: string): Promise<{ token: string; member: any; staffRole: string | null; code: string }> {
    const { code } = await this.dev<{ code: string }>('/dev/login-code', { user });
    const answer = await this.call('POST', '/auth/login', { body: { code } });
    if (answer.status !== 200) throw new Error(`login failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    return { ...answer.body, code };
  }

  async phoneCode(user: string, phoneNumber: string): Promise<string> {
    return (await this.dev<{ code: string }>('/dev/phone-code', { user, phoneNumber })).code;
  }

  /** Login + join with a phone number: a member ready to use the card. */
  async joinedMember(user: string, phoneNumber: string, policyVersion: string): Promise<{ token: string; memberId: number }> {
    const session = await this.login(user);
    const joined = await this.call('POST', '/members/me/join', {
      token: session.token,
      body: { privacyAccepted: true, privacyPolicyVersion: policyVersion, phoneCode: await this.phoneCode(user, phoneNumber) },
    });
    if (joined.status !== 200) throw new Error(`join failed: ${joined.status} ${JSON.stringify(joined.body)}`);
    return { token: session.token, memberId: session.member.id };
  }
}
