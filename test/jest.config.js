// Every test, and every server an e2e test starts, runs in a time zone that is neither UTC nor the business
// calendar's (Asia/Shanghai): code that reads the machine's local time (a date string parsed without its zone,
// getDate(), setHours()) fails here instead of on a server whose clock is set to Shanghai or anywhere else. The
// embedded SQLite's expiry dates on the points page were read that way. Workers inherit it from this process.
process.env.TZ = 'America/New_York';

// One jest run for every TypeScript package. The mini-program's pages are built and driven in Chromium (e2e);
// its pure helpers (utils/) are tested here like any other code.
// swc transpiles both our TypeScript and the ESM-only NestJS 12 packages (README.md, "Toolchain notes").
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
const common = {
  testEnvironment: '<rootDir>/test/support/jest-environment.js',
  transform: { '^.+\\.(ts|m?js)$': swc },
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|uid|load-esm|file-type|strtok3|token-types|@tokenizer|uint8array-extras|@borewit)/)',
  ],
  moduleNameMapper: {
    '^@member/shared$': '<rootDir>/shared/src/index.ts',
    '^@member/config$': '<rootDir>/config/src/index.ts',
    // file-type 21 (the last major that runs on Node 20) exports only ESM conditions jest's resolver does not
    // know ('module-sync'); point it at the file, which swc transpiles like the Nest packages.
    '^file-type$': '<rootDir>/node_modules/file-type/index.js',
  },
  rootDir: require('node:path').resolve(__dirname, '..'),
  setupFiles: ['<rootDir>/test/support/jest.setup.ts'],
};
// Component tests (miniprogram/src/**/*.test.tsx): rendered with Taro's real H5 components in jsdom.
// @tarojs/components is mapped to its React build; Taro, Stencil and NutUI ship ESM, so swc transpiles them too.
const swcTsx = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } }, target: 'es2020' },
    module: { type: 'commonjs' },
  },
];
const components = {
  rootDir: common.rootDir,
  displayName: 'components',
  testEnvironment: 'jsdom',
  testMatch: ['<rootDir>/miniprogram/src/**/*.test.tsx'],
  transform: { '^.+\\.(tsx?|m?js)$': swcTsx },
  transformIgnorePatterns: ['/node_modules/(?!(@tarojs|@stencil|@nutui|swiper|tslib|\\.pnpm)/)'],
  moduleNameMapper: {
    '^@tarojs/components$': '<rootDir>/node_modules/@tarojs/components/lib/react/index.js',
    '^@tarojs/taro$': '<rootDir>/test/support/components/taro.ts',
    '\\.(s?css)$': '<rootDir>/test/support/components/style-stub.js',
    '^@member/shared$': '<rootDir>/shared/src/index.ts',
    '^@/(.*)$': '<rootDir>/miniprogram/src/$1',
  },
  setupFiles: ['<rootDir>/test/support/components/setup.ts'],
  // Taro's build-time flags, which its webpack build defines and its runtime reads.
  globals: {
    ENABLE_INNER_HTML: true,
    ENABLE_ADJACENT_HTML: true,
    ENABLE_SIZE_APIS: false,
    ENABLE_TEMPLATE_CONTENT: true,
    ENABLE_CLONE_NODE: true,
    ENABLE_CONTAINS: true,
    ENABLE_MUTATION_OBSERVER: false,
    DEPRECATED_ADAPTER_COMPONENT: false,
    SUPPORT_DINGTALK_NAVIGATE: 'disabled',
  },
};
module.exports = {
  projects: [
    components,
    { ...common, displayName: 'shared', testMatch: ['<rootDir>/shared/src/**/*.test.ts'] },
    { ...common, displayName: 'config', testMatch: ['<rootDir>/config/src/**/*.test.ts'] },
    { ...common, displayName: 'miniprogram', testMatch: ['<rootDir>/miniprogram/src/**/*.test.ts'] },
    { ...common, displayName: 'server', testMatch: ['<rootDir>/server/src/**/*.test.ts'] },
    { ...common, displayName: 'emulator', testMatch: ['<rootDir>/test/wechat-emulator/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e.ts'] },
  ],
  // Jest 30 reads this only at the top level. Generous because the e2e suites start processes and a browser
  // on a 2-core machine; no test asserts a wall-clock time.
  testTimeout: 120000,
  // Two suites at a time. Jest's default is one worker fewer than the cores, so on the 2-core machines CI runs on
  // the suites ran one after another (1,253 s), though most of their time is spent waiting on MariaDB, server
  // processes and Chromium; with two, 735 s on the same machine. Every suite has its own database and ports, and
  // the few that read MariaDB's process or transaction lists look only at their own database.
  maxWorkers: 2,
};
