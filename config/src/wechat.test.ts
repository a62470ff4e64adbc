import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './load';

const env = {
  NODE_ENV: 'test',
  WECHAT_APPID: 'wx0000000000demo01',
  WECHAT_SECRET: 'secret',
  SESSION_SECRET: 's'.repeat(32),
  MEMBER_CODE_SECRET: 'm'.repeat(32),
  PHONE_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};

function withOverride(override: unknown): Record<string, string> {
  const file = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'override.json');
  writeFileSync(file, JSON.stringify(override));
  return { ...env, CONFIG_FILE: file };
}

function problemsOf(environment: Record<string, string>): string[] {
  try {
    loadConfig(environment);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('WeChat settings', () => {
  it('refreshes the access token at most 300 s ahead: a longer lead stops start-up and says why', () => {
    expect(loadConfig(env).wechat.tokenRefreshAheadSeconds).toBe(300);
    expect(loadConfig(withOverride({ wechat: { tokenRefreshAheadSeconds: 120 } })).wechat.tokenRefreshAheadSeconds).toBe(120);
    const problems = problemsOf(withOverride({ wechat: { tokenRefreshAheadSeconds: 3600 } }));
    expect(problems).toEqual([
      expect.stringMatching(/^wechat\.tokenRefreshAheadSeconds: must be at most 300: stable_token returns the same token/),
    ]);
    expect(problemsOf(withOverride({ wechat: { tokenRefreshAheadSeconds: 301 } }))).toHaveLength(1);
  });

  it('takes a fixed phrase in a message template only from the tested list', () => {
    const fields = (phrase: string) => ({
      messages: { templates: { points_change: { fields: { number1: '{delta}', phrase2: phrase } } } },
    });
    expect(loadConfig(withOverride(fields('积分到账'))).messages.templates.points_change.fields.phrase2).toBe('积分到账');
    expect(loadConfig(withOverride(fields('{status}'))).messages.templates.points_change.fields.phrase2).toBe('{status}');
    expect(problemsOf(withOverride(fields('积分已经到账')))).toEqual([
      expect.stringMatching(
        /^messages\.templates\.points_change\.fields\.phrase2: "积分已经到账" is not one of the tested phrases: 已到账 /,
      ),
    ]);
  });
});
