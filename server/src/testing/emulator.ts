// Test-only bridge to the WeChat emulator in test/wechat-emulator (a real HTTP server on a random port).
export { startEmulator, openidFor, type RunningEmulator } from '../../../test/wechat-emulator';

export const TEST_APP = { appid: 'wx0000000000test01', secret: 'test-app-secret-0123456789abcdef' };

/** What the WeChat app would do for a named user: a fresh wx.login() code. */
export async function mintLoginCode(emulatorUrl: string, user: string): Promise<{ code: string; openid: string }> {
  return devPost(emulatorUrl, '/dev/login-code', { appid: TEST_APP.appid, user });
}

/** What the getPhoneNumber button would give for a named user and number. */
export async function mintPhoneCode(emulatorUrl: string, user: string, phoneNumber: string): Promise<string> {
  return (await devPost<{ code: string }>(emulatorUrl, '/dev/phone-code', { appid: TEST_APP.appid, user, phoneNumber })).code;
}

async function devPost<T>(emulatorUrl: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${emulatorUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`emulator ${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export async function emulatorStats(emulatorUrl: string): Promise<Record<string, number>> {
  return (await (await fetch(`${emulatorUrl}/dev/stats`)).json()) as Record<string, number>;
}
