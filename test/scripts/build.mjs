// npm run build: the server (tsc) and both production builds of the mini-program, with their sizes.
// Fails when the weapp main package is over 1.5 MB (WeChat's limit is 2 MB).
import { step } from './lib.mjs';

step('TypeScript: shared, config, server', 'npx', ['tsc', '-b', 'shared', 'config', 'server']);
step('Mini-program: weapp production build', 'npm', ['run', 'build:weapp', '-w', 'miniprogram']);
step('Mini-program: H5 production build', 'npm', ['run', 'build:h5', '-w', 'miniprogram']);
step('Console (HQ desktop): production build', 'npm', ['run', 'build', '-w', 'server/console']);
step('Mini-program: package sizes', 'npm', ['run', '--silent', 'size', '-w', 'miniprogram'], { quiet: false });
