// npm test: everything, on the real MariaDB and the embedded SQLite, with the real emulator and Chromium.
// Extra arguments go to jest, e.g. `npm test -- --selectProjects server`.
import { createConnection } from 'mysql2/promise';
import { consoleIsStale, h5IsStale, step } from './lib.mjs';

const mysqlUrl = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
try {
  const connection = await createConnection(mysqlUrl);
  await connection.end();
} catch (error) {
  process.stderr.write(
    `MariaDB/MySQL is not reachable at ${mysqlUrl} (${error.message}).\n` +
      'Start it with: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd\n' +
      '(or set TEST_MYSQL_URL=mysql://user:pass@host:port). See README.md, "Tests".\n',
  );
  process.exit(1);
}

step('TypeScript: shared, config, server', 'npx', ['tsc', '-b', 'shared', 'config', 'server']);
if (h5IsStale()) step('Mini-program: H5 build for the browser tests', 'npm', ['run', 'build:h5', '-w', 'miniprogram']);
if (consoleIsStale()) step('Console: production build for the browser tests', 'npm', ['run', 'build', '-w', 'server/console']);
step(
  'jest: unit, service (MariaDB + SQLite), emulator, API e2e and browser e2e',
  'npx',
  ['jest', '--config', 'test/jest.config.js', ...process.argv.slice(2)],
  { quiet: false },
);
