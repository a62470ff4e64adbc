// babel-preset-taro: React with the automatic JSX runtime, TypeScript, ES modules kept for tree-shaking.
module.exports = {
  presets: [
    [
      'taro',
      {
        framework: 'react',
        ts: true,
        compiler: 'webpack5',
      },
    ],
  ],
};
