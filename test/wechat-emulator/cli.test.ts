// The CLI as the demo start script uses it: one LISTENING line on stdout, clean exit on SIGTERM.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { json } from './harness';

it('prints the LISTENING line, serves, and exits 0 on SIGTERM', async () => {
  const child = spawn(
    process.execPath,
    [require.resolve('tsx/cli'), join(__dirname, 'main.ts'), '--port', '0', '--appid', 'wxcli0000000000001', '--secret', 's'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WECHAT_EMULATOR_PORT: '' } },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk;
        const m = /^WECHAT_EMULATOR_LISTENING (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const res = await json(await fetch(`${url}/dev/login-code`, { method: 'POST', body: '{"user":"alice"}' }));
    expect(res.openid).toMatch(/^o/);
    // the log line is written just after the response, so give it a moment
    for (let i = 0; i < 40 && !stderr.includes('POST /dev/login-code 200'); i++) await new Promise((r) => setTimeout(r, 25));
    expect(stderr).toContain('POST /dev/login-code 200');
  } finally {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
  }
  expect(stdout.split('\n').filter(Boolean)).toHaveLength(1);
}, 30_000);
