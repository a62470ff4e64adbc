import { spawn, type ChildProcess } from 'node:child_process';

export const REPO_ROOT = require('node:path').resolve(__dirname, '..', '..') as string;

export interface RunningProcess {
  child: ChildProcess;
  /** Everything the process wrote so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts a process and resolves once a stdout line matches `ready`, with the match. A process that exits or
 * stays silent past the timeout fails with its output, so a broken start is easy to read.
 */
export function startProcess(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; ready: RegExp; timeoutMs?: number; cwd?: string; label: string },
): Promise<{ process: RunningProcess; match: RegExpMatchArray }> {
  const child = spawn(command, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const running: RunningProcess = {
    child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(killer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void running.stop();
      reject(new Error(`${options.label} did not start within ${options.timeoutMs ?? 30_000} ms:\n${output}`));
    }, options.timeoutMs ?? 30_000);
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      buffered += chunk.toString();
      for (const line of buffered.split('\n').slice(0, -1)) {
        const match = options.ready.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve({ process: running, match });
        }
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${options.label} exited with ${code} before it was ready:\n${output}`));
    });
  });
}
