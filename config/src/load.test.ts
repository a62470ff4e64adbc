import { ConfigError, loadConfig, parseStaffList } from './load';

const validEnv = {
  NODE_ENV: 'test',
  WECHAT_APPID: 'wx0000000000demo01',
  WECHAT_SECRET: 'secret',
  SESSION_SECRET: 's'.repeat(32),
  MEMBER_CODE_SECRET: 'm'.repeat(32),
  PHONE_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('turns defaults and environment into one typed tree', () => {
    const config = loadConfig({ ...validEnv, PORT: '4001', STAFF: 'oAbc:admin:店长,oDef:clerk@S001' });
    expect(config.server.port).toBe(4001);
    expect(config.database.url).toBeNull();
    expect(config.tiers.map((t) => t.code)).toEqual(['normal', 'silver', 'gold', 'diamond']);
    expect(config.tiers[1].minSpendFen).toBe(200000);
    expect(config.memberCode.periodSeconds).toBe(60);
    expect(config.businessCalendar.timeZone).toBe('Asia/Shanghai');
    expect(config.staff).toEqual([
      { openid: 'oAbc', role: 'admin', name: '店长', stores: [] },
      { openid: 'oDef', role: 'clerk', name: null, stores: ['S001'] },
    ]);
  });

  it('names the key and its environment variable when a value is missing or wrong', () => {
    const { SESSION_SECRET: _omitted, ...withoutSecret } = validEnv;
    expect(problemsOf(withoutSecret)).toEqual(['security.sessionSecret (env SESSION_SECRET): is required']);
    expect(problemsOf({ ...validEnv, PORT: 'eighty' })[0]).toMatch(/^server\.port \(env PORT\)/);
    expect(problemsOf({ ...validEnv, WECHAT_APPID: 'abc' })[0]).toMatch(/^wechat\.appid \(env WECHAT_APPID\): must look like/);
    expect(problemsOf({ ...validEnv, DATABASE_URL: 'postgres://x/y' })[0]).toMatch(/^database\.url/);
    expect(problemsOf({ ...validEnv, STAFF: 'oAbc:owner' })[0]).toMatch(/^staff\.0\.role/);
    expect(problemsOf({ ...validEnv, PHONE_ENCRYPTION_KEY: 'short' })[0]).toMatch(/32 random bytes/);
  });

  it('deep-merges a business override file over the defaults and validates it', () => {
    const { writeFileSync, mkdtempSync } = require('node:fs') as typeof import('node:fs');
    const dir = mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'cfg-'));
    const good = `${dir}/good.json`;
    writeFileSync(good, JSON.stringify({ memberCode: { periodSeconds: 30 } }));
    const config = loadConfig({ ...validEnv, CONFIG_FILE: good });
    expect(config.memberCode).toEqual({ periodSeconds: 30, graceSeconds: 15, prefix: '66' });

    const bad = `${dir}/bad.json`;
    writeFileSync(bad, JSON.stringify({ businessCalendar: { timeZone: 'Mars/Olympus' }, tiers: [] }));
    const problems = problemsOf({ ...validEnv, CONFIG_FILE: bad });
    expect(problems.some((p) => p.startsWith('businessCalendar.timeZone'))).toBe(true);
    expect(problems.some((p) => p.startsWith('tiers'))).toBe(true);
  });

  it('configures the birthday perk: a month window at 00:05 with no coupon by default, the template id from the environment', () => {
    expect(loadConfig(validEnv).birthday.perk).toEqual({ window: 'month', couponTemplateId: null, runAtLocalTime: '00:05' });
    expect(loadConfig({ ...validEnv, BIRTHDAY_COUPON_TEMPLATE_ID: '42' }).birthday.perk.couponTemplateId).toBe(42);
    expect(problemsOf({ ...validEnv, BIRTHDAY_COUPON_TEMPLATE_ID: 'birthday' })[0]).toMatch(
      /^birthday\.perk\.couponTemplateId \(env BIRTHDAY_COUPON_TEMPLATE_ID\)/,
    );
    expect(problemsOf({ ...validEnv, BIRTHDAY_COUPON_TEMPLATE_ID: '0' })[0]).toMatch(/^birthday\.perk\.couponTemplateId/);
  });

  it.each([
    [{ window: 'week' }, 'birthday.perk.window'],
    [{ runAtLocalTime: '24:00' }, 'birthday.perk.runAtLocalTime'],
    [{ runAtLocalTime: '0:05' }, 'birthday.perk.runAtLocalTime'],
  ])('refuses a birthday perk override %j', (perk, key) => {
    const { writeFileSync, mkdtempSync } = require('node:fs') as typeof import('node:fs');
    const file = `${mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'cfg-'))}/perk.json`;
    writeFileSync(file, JSON.stringify({ birthday: { perk } }));
    const problems = problemsOf({ ...validEnv, CONFIG_FILE: file });
    expect(problems).toHaveLength(1);
    expect(problems[0].startsWith(key)).toBe(true);
  });

  it('parses the STAFF list leniently and leaves judging to the schema', () => {
    expect(parseStaffList(' a:clerk , ,b:admin:Ms:Li ')).toEqual([
      { openid: 'a', role: 'clerk', name: null, stores: [] },
      { openid: 'b', role: 'admin', name: 'Ms:Li', stores: [] },
    ]);
    expect(parseStaffList('c:store_manager:王店长@S001| S002,d:clerk:@S003')).toEqual([
      { openid: 'c', role: 'store_manager', name: '王店长', stores: ['S001', 'S002'] },
      { openid: 'd', role: 'clerk', name: null, stores: ['S003'] },
    ]);
  });

  it('gives every staff account its stores: a clerk or store manager without one, or with an unknown one, stops the start', () => {
    const config = loadConfig({ ...validEnv, STAFF: 'oA:admin,oB:store_manager:店长@S002,oC:clerk@S001|S003' });
    expect(config.staff.map((s) => [s.role, s.stores])).toEqual([
      ['admin', []],
      ['store_manager', ['S002']],
      ['clerk', ['S001', 'S003']],
    ]);
    expect(problemsOf({ ...validEnv, STAFF: 'oC:clerk' })[0]).toMatch(/^staff\.0\.stores/);
    expect(problemsOf({ ...validEnv, STAFF: 'oC:clerk@S999' })[0]).toMatch(/^staff\.0\.stores.*S999/);
    expect(config.staffAccess.memberGrantSeconds).toBe(600);
  });

  it('refuses two stores with one code, or with codes that differ only in case', () => {
    const { configSchema } = require('./schema') as typeof import('./schema');
    const config = loadConfig(validEnv);
    const problemsWithStores = (codes: string[]) => {
      const result = configSchema.safeParse({ ...config, stores: codes.map((code, i) => ({ code, name: `店${i}` })), staff: [] });
      return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    };
    expect(problemsWithStores(['S001', 'S002'])).toEqual([]);
    expect(problemsWithStores(['S001', 'S001'])).toEqual(['stores: store codes must be unique']);
    expect(problemsWithStores(['S001', 's001'])).toEqual(['stores: store codes must differ by more than case (S001 and s001)']);
  });

  it('validates the brand: colours, a safe inline SVG logo, a phone number, and card art for every tier', () => {
    const brand = loadConfig(validEnv).brand;
    expect(brand.primaryColor).toMatch(/^#[0-9a-f]{6}$/i);
    expect(Object.keys(brand.tierCards).sort()).toEqual(['diamond', 'gold', 'normal', 'silver']);

    const { writeFileSync, mkdtempSync } = require('node:fs') as typeof import('node:fs');
    const dir = mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'cfg-'));
    const problemsWith = (override: object) => {
      const file = `${dir}/${Math.random()}.json`;
      writeFileSync(file, JSON.stringify(override));
      return problemsOf({ ...validEnv, CONFIG_FILE: file });
    };
    expect(problemsWith({ brand: { primaryColor: 'red' } })[0]).toMatch(/^brand\.primaryColor: must be a colour/);
    expect(problemsWith({ brand: { logoSvg: '<svg onload="x()"></svg>' } })[0]).toMatch(/^brand\.logoSvg: must not contain scripts/);
    expect(problemsWith({ brand: { logoSvg: '<img src="logo.png">' } })[0]).toMatch(/^brand\.logoSvg: must be one SVG document/);
    expect(problemsWith({ brand: { service: { phone: 'call us' } } })[0]).toMatch(/^brand\.service\.phone/);
    // Every tier needs its art (the merge cannot remove a key, so the check is run on the parsed tree).
    const { configSchema } = require('./schema') as typeof import('./schema');
    const config = loadConfig(validEnv);
    const { silver: _silver, ...withoutSilver } = config.brand.tierCards;
    const result = configSchema.safeParse({ ...config, brand: { ...config.brand, tierCards: withoutSilver } });
    expect(result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([
      'brand.tierCards.silver: tier silver needs its card art',
    ]);
  });
});
