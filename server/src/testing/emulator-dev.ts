// The WeChat emulator's dev API (/dev/…: faults, settings, inbox, quota, the cashier) as the service tests call
// it; one copy instead of a fetch wrapper in each test file.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `emulatorUrl` is read at call time, since suites start their emulator in beforeAll. */
export function emulatorDev(emulatorUrl: () => string) {
  return {
    emulatorGet: async (path: string): Promise<Json> => (await (await fetch(`${emulatorUrl()}${path}`)).json()) as Json,
    emulatorPost: async (path: string, body: unknown): Promise<Json> => {
      const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
      return (await (await fetch(`${emulatorUrl()}${path}`, init)).json()) as Json;
    },
  };
}
