// The Node test environment, plus: what the servers under test log is kept per test and printed only when that
// test fails, so a passing `npm test` shows results, not log noise. In-process apps write their lines to
// globalThis.__serverLogLines (server/src/testing/test-app.ts); e2e stacks register their server processes in
// globalThis.__serverProcesses (test/support/stack.ts), whose output since the test began is shown.
const NodeEnvironment = require('jest-environment-node').TestEnvironment;

const MOST_LINES = 200;

class QuietServerLogsEnvironment extends NodeEnvironment {
  async handleTestEvent(event) {
    if (event.name === 'run_start') this.global.__serverLogLines = [];
    if (event.name === 'test_start') this.startTest();
    if (event.name === 'test_done' && event.test.errors.length > 0) this.printLogs(`test "${event.test.name}" failed`);
    if (event.name === 'hook_failure') this.printLogs(`a ${event.hook.type} hook failed`);
  }

  startTest() {
    this.global.__serverLogLines = [];
    this.offsets = new Map((this.global.__serverProcesses ?? []).map((proc) => [proc, proc.output().length]));
  }

  printLogs(why) {
    const parts = [];
    const lines = this.global.__serverLogLines ?? [];
    if (lines.length > 0) parts.push(lines.join(''));
    for (const proc of this.global.__serverProcesses ?? []) {
      const output = proc.output().slice(this.offsets?.get(proc) ?? 0);
      if (output.trim()) parts.push(`[${proc.label}]\n${output.split('\n').slice(-MOST_LINES).join('\n')}\n`);
    }
    if (parts.length > 0) process.stderr.write(`\n── server logs (${why}) ──\n${parts.join('')}── end of server logs ──\n`);
    this.global.__serverLogLines = [];
  }
}

module.exports = QuietServerLogsEnvironment;
