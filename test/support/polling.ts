/**
 * Small helpers the API e2e suites share: calling the WeChat emulator's test endpoints, and waiting for an
 * effect that lands asynchronously (a notification, a refund settling).
 */

/** `emulator('/dev/…')` GETs, `emulator('/dev/…', body)` POSTs JSON; `emulatorUrl` is read at call time. */
export function emulatorCaller(emulatorUrl: () => string): (path: string, body?: unknown) => Promise<any> {
  return async (path, body) =>
    (
      await fetch(
        `${emulatorUrl()}${path}`,
        body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      )
    ).json();
}

/** Polls `probe` every 50 ms until it answers something truthy (10 s at most). */
export async function until<T>(what: string, probe: () => Promise<T | false>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
