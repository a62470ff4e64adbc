import { ConfigError, loadConfig } from '@member/config';
import { createApp } from './bootstrap';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`The server cannot start: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const app = await createApp({ config });
  await app.listen({ port: config.server.port, host: config.server.host });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const host = config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host;
  // One machine-readable line: process supervisors and the test harness wait for it.
  process.stdout.write(`SERVER_LISTENING http://${host}:${port} driver=${config.database.url ? 'mysql' : 'sqljs'}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`The server failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
