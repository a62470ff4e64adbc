import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atomicFileSave } from './atomic-file-save';

const SIZE = 8 * 1024 * 1024;
const version = (n: number) => new Uint8Array(SIZE).fill(n);
const LAST = new Uint8Array(16).fill(5);

describe('atomicFileSave (the embedded database file)', () => {
  it('a reader never sees a partial file while saves run, and the last save asked for is the one that stays', async () => {
    const location = join(mkdtempSync(join(tmpdir(), 'atomic-save-')), 'member.sqlite');
    const save = atomicFileSave(location);
    await save(version(1));
    let reading = true;
    const seen: string[] = [];
    const reader = (async () => {
      while (reading) {
        const bytes = await readFile(location);
        // Whole or nothing: every byte of one version, at that version's length (the last one, 5, is 16 bytes long:
        // a read that starts as it lands sees it whole).
        const whole = bytes.length === (bytes[0] === 5 ? LAST.length : SIZE) && bytes.every((b) => b === bytes[0]);
        seen.push(whole ? `v${bytes[0]}` : `partial (${bytes.length} bytes)`);
      }
    })();
    // Asked for back to back, as sql.js's autoSave does after each write; the last is small and quick to write.
    await Promise.all([save(version(2)), save(version(3)), save(version(4)), save(LAST)]);
    reading = false;
    await reader;

    expect(seen.filter((s) => s.startsWith('partial'))).toEqual([]);
    expect(seen.length).toBeGreaterThan(0);
    expect([...readFileSync(location)]).toEqual(Array(16).fill(5));
    // No temporary file left beside it.
    expect(readdirSync(join(location, '..'))).toEqual(['member.sqlite']);
  });

  it('a save that fails fails its caller and does not stop the next', async () => {
    const location = join(mkdtempSync(join(tmpdir(), 'atomic-save-')), 'member.sqlite');
    const save = atomicFileSave(location);
    const failing = save(42 as unknown as Uint8Array);
    const next = save(new Uint8Array([7, 7, 7]));
    await expect(failing).rejects.toThrow();
    await next;
    expect([...readFileSync(location)]).toEqual([7, 7, 7]);
  });
});
