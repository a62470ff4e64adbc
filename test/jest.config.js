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
module.exports = {
  projects: [
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
};
