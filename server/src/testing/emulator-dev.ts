// The WeChat emulator's dev API (/dev/…: faults, settings, inbox, quota, the cashier) as the service tests call
// it; one copy instead of a fetch wrapper in each test file.
import { waitFor } from './spec';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `emulatorUrl` is read at call time, since suites start their emulator in beforeAll. */
export function emulatorDev(emulatorUrl: () => string) {
  return {
    emulatorGet: async (path: string): Promise<Json> => (await (await fetch(`${emulatorUrl()}${path}`)).json()) as Json,
    emulatorPost: async (path: string, body: unknown): Promise<Json> => {
      const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
      return (await (await fetch(`${emulatorUrl()}${path}`, init)).json()) as Json;
    },
    /**
     * The WeChat Pay notifications matching `query` (e.g. `out_trade_no=…&event_type=REFUND.SUCCESS`), once each
     * has had its first delivery answered. Our server commits a notification's effect before its answer reaches
     * the emulator, so a test that saw the effect must still wait for the answer to be recorded before it reads
     * `delivered` or `attempts` (which then say what our server answered).
     */
    answeredPayNotifications: (query: string): Promise<Json[]> =>
      waitFor(
        `the emulator to record our answers to the pay notifications ${query}`,
        async () => {
          const list = ((await (await fetch(`${emulatorUrl()}/dev/pay/notifications?${query}`)).json()) as Json).notifications as Json[];
          return list.length > 0 && list.every((n) => n.attempts.length > 0) && list;
        },
        10_000,
      ),
  };
}
