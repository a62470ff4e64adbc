import { rename, writeFile } from 'node:fs/promises';

/**
 * The embedded SQLite's autoSave (sql.js keeps the database in memory and hands over the whole file after each
 * write). TypeORM's own save truncates the file and writes it in place, and starts a new save while the last
 * one is still writing: a reader (the e2e invariant check, a second process, a restart after a crash) could
 * find a half-written file — an empty database, "no such table: member", seen once in CI — and two saves at
 * once could interleave. Here each save writes a temporary file beside the database and renames it over the
 * database (atomic on one file system), one save after another in the order they were asked for, so the file is
 * always a whole database and the last one asked for is the one that stays. A failed save fails its caller
 * and does not stop the next.
 */
export function atomicFileSave(location: string): (data: Uint8Array) => Promise<void> {
  const temporary = `${location}.${process.pid}.saving`;
  let last: Promise<void> = Promise.resolve();
  return (data) => {
    const save = last
      .catch(() => undefined)
      .then(async () => {
        await writeFile(temporary, data);
        await rename(temporary, location);
      });
    last = save;
    return save;
  };
}
