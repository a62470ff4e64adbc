import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';
import devConfig from './dev';
import prodConfig from './prod';

/**
 * Taro build configuration. One source tree builds two targets, picked by TARO_ENV:
 * weapp → dist/weapp (imported into WeChat DevTools through ../project.config.json),
 * h5 → dist/h5 (served by the server as static files at `/`, hash routing so no server routes are needed).
 */
const sharedSrc = path.resolve(__dirname, '../../shared/src');
const appSrc = path.resolve(__dirname, '../src');

/** Where the weapp talks to the API. H5 always uses the page's own origin (see src/platform/index.h5.ts). */
const apiBaseUrl = (process.env.API_BASE_URL || 'https://member.example.com').replace(/\/+$/, '');

export default defineConfig<'webpack5'>(async (merge) => {
  const taroEnv = process.env.TARO_ENV || 'weapp';
  const baseConfig: UserConfigExport<'webpack5'> = {
    projectName: 'member-miniprogram',
    date: '2025-01-01',
    // Our styles are drawn on a 750-wide design; NutUI's on a 375-wide one. pxtransform scales each by its own.
    designWidth(input) {
      const file = typeof input === 'object' && input?.file ? input.file.replace(/\\+/g, '/') : '';
      return file.includes('@nutui/') ? 375 : 750;
    },
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'src',
    outputRoot: `dist/${taroEnv}`,
    plugins: [],
    defineConstants: {
      API_BASE_URL: JSON.stringify(apiBaseUrl),
    },
    alias: {
      // The contract is consumed from source so Babel compiles it with the app and unused exports are dropped.
      '@member/shared': sharedSrc,
      '@': appSrc,
    },
    copy: { patterns: [], options: {} },
    framework: 'react',
    compiler: 'webpack5',
    cache: { enable: false },
    mini: {
      compile: { include: [sharedSrc] },
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
      },
      webpackChain(chain) {
        markSharedSideEffectFree(chain);
      },
    },
    h5: {
      publicPath: '/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      compile: { include: [sharedSrc] },
      output: {
        filename: 'js/[name].[contenthash:8].js',
        chunkFilename: 'js/[name].[contenthash:8].js',
      },
      miniCssExtractPluginOption: {
        ignoreOrder: true,
        filename: 'css/[name].[contenthash:8].css',
        chunkFilename: 'css/[name].[contenthash:8].css',
      },
      postcss: {
        autoprefixer: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
      },
      webpackChain(chain) {
        markSharedSideEffectFree(chain);
        // webpack's generic 244 KiB hint is noise here: scripts/report-size.mjs is the size budget.
        chain.performance.hints(false);
        shareChunksBetweenPages(chain);
      },
    },
  };

  if (process.env.NODE_ENV === 'development') return merge({}, baseConfig, devConfig);
  return merge({}, baseConfig, prodConfig);
});

/**
 * shared/package.json declares no `sideEffects`, so webpack would keep every module of it that is imported
 * anywhere. Its sources are pure (types, constants, functions), so tell webpack it may drop unused ones.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Taro hands over webpack-chain's Config without exporting its type
function markSharedSideEffectFree(chain: any): void {
  chain.module
    .rule('shared-pure')
    .test(/\.[jt]sx?$/)
    .include.add(sharedSrc)
    .end()
    .sideEffects(false);
}

/**
 * Taro splits H5 chunks with `chunks: 'initial'`, but every page is an async chunk: each page's chunk then
 * carries its own copy of the component library and of our shared components (~85 KB a page, measured).
 * Splitting all chunks lets pages share one copy, loaded once.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
function shareChunksBetweenPages(chain: any): void {
  const current = chain.optimization.get('splitChunks');
  if (current) chain.optimization.splitChunks({ ...current, chunks: 'all' });
}
