import { DataSource } from 'typeorm';
import { checkInvariants, type InvariantViolation } from '../../server/src/testing/invariants';
import type { Stack } from './stack';

/**
 * Issue 14's one invariant checker (server/src/testing/invariants.ts), after every test of an e2e file: on the
 * stack's MariaDB database, or on its SQLite file as the server last saved it (sql.js writes the whole file
 * after each write, so it is read afresh each time). Our message grants are compared with the emulator's quota.
 *
 * The state is judged once the server is quiet: a test may end while work it set off is still landing (WeChat
 * Pay notifications and refund settlements, the outbox sender), so a failing check is retried for a short while;
 * a real violation stays and fails the test with its rows. `skip` leaves rules out for a file that breaks them
 * on purpose (say why beside it); `skipFor` does so for single tests by name.
 */
export function invariantsAfterEach(
  stackOf: () => Stack | undefined,
  options: { skip?: string[]; skipFor?: (testName: string) => string[] } = {},
): void {
  let mysql: DataSource | null = null;
  afterEach(async () => {
    const stack = stackOf();
    if (!stack) return; // the stack never started: beforeAll's failure is the report
    const skip = [...(options.skip ?? []), ...(options.skipFor?.(expect.getState().currentTestName ?? '') ?? [])];
    let violations: InvariantViolation[] = [];
    const deadline = Date.now() + 3_000;
    for (;;) {
      if (stack.databaseUrl) {
        mysql ??= await new DataSource({ type: 'mysql', url: stack.databaseUrl, timezone: 'Z', poolSize: 2 }).initialize();
        violations = await checkInvariants(mysql, { emulatorUrl: stack.emulatorUrl, skip });
      } else if (stack.sqlitePath) {
        const sqlite = await new DataSource({
          type: 'sqljs',
          location: stack.sqlitePath,
          autoSave: false,
          useLocalForage: false,
        }).initialize();
        try {
          violations = await checkInvariants(sqlite, { emulatorUrl: stack.emulatorUrl, skip });
        } finally {
          await sqlite.destroy();
        }
      } else return;
      if (violations.length === 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    if (violations.length > 0) throw new Error(`invariants broken after this test:\n${JSON.stringify(violations, null, 2)}`);
  });
  afterAll(async () => {
    await mysql?.destroy();
    mysql = null;
  });
}
