import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExportFormat } from '@member/shared';
import { writeTable, type ExportCell } from './export-writer';

/** Pages of 1,000 rows, counting how many the writer has pulled. */
function pages(count: number, pulled: { pages: number }): AsyncIterable<ExportCell[][]> {
  return (async function* () {
    for (let page = 0; page < count; page++) {
      pulled.pages++;
      yield Array.from({ length: 1000 }, (_, i) => [page * 1000 + i, `会员${page * 1000 + i}`, '某某路 123 号 4 楼 567 室', page * 3.5]);
    }
  })();
}

describe('the export writer', () => {
  it.each(['csv', 'xlsx'] as ExportFormat[])(
    '%s: reads no further than the client takes (memory stays at a few pages, not the whole export)',
    async (format) => {
      const out = new PassThrough({ highWaterMark: 64 * 1024 });
      const pulled = { pages: 0 };
      const writing = writeTable(
        out,
        format,
        '会员',
        ['ID', '昵称', '地址', '金额'],
        pages(200, pulled),
        () => undefined,
        () => false,
      );
      // Nobody reads: the writer must stop and wait, not read all 200 pages into memory.
      await sleep(300);
      expect(pulled.pages).toBeLessThan(20);
      // Once the client reads, every row arrives.
      const chunks: Buffer[] = [];
      out.on('data', (chunk: Buffer) => chunks.push(chunk));
      expect(await writing).toBe(200_000);
      expect(pulled.pages).toBe(200);
      if (format === 'csv') expect(Buffer.concat(chunks).toString('utf8').split('\r\n')).toHaveLength(200_002);
    },
    60_000,
  );

  it('keeps spreadsheets from running cells as formulas, and quotes what CSV must', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    const rows: ExportCell[][] = [['=HYPERLINK("x")', -12.5, '张,三', 'a"b', null]];
    await writeTable(
      out,
      'csv',
      't',
      ['a', 'b', 'c', 'd', 'e'],
      (async function* () {
        yield rows;
      })(),
      () => undefined,
      () => false,
    );
    expect(Buffer.concat(chunks).toString('utf8')).toBe('\uFEFFa,b,c,d,e\r\n"\'=HYPERLINK(""x"")",-12.5,"张,三","a""b",\r\n');
  });
});
