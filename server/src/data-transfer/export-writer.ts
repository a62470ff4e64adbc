import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { ExportFormat } from '@member/shared';
import ExcelJS from 'exceljs';

/** A cell of an export: text, a number, a date (written as Asia/Shanghai text by the source), or empty. */
export type ExportCell = string | number | null;

/**
 * Writes a table to `out` page by page, as CSV or XLSX, waiting whenever `out` is full: memory holds about one
 * page whatever the number of rows (1,000,000 members stream through the same few MB).
 *
 * CSV starts with a UTF-8 BOM: without it Excel (the tool HQ opens exports with) reads UTF-8 as the local ANSI
 * code page and shows 会员 as mojibake. XLSX goes through exceljs's streaming WorkbookWriter, which writes each
 * committed row into the zip as it goes (no shared strings table, no styles: both would be held in memory).
 */
export async function writeTable(
  out: Writable,
  format: ExportFormat,
  title: string,
  header: readonly string[],
  pages: AsyncIterable<ExportCell[][]>,
  onPage: (rowsDone: number) => Promise<void> | void,
  aborted: () => boolean,
): Promise<number> {
  let done = 0;
  if (format === 'csv') {
    await write(out, `\uFEFF${csvLine(header)}`);
    for await (const rows of pages) {
      if (aborted()) break;
      await write(out, rows.map(csvLine).join(''));
      done += rows.length;
      await onPage(done);
    }
    out.end();
    return done;
  }
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  const sheet = workbook.addWorksheet(title.slice(0, 31));
  sheet.addRow([...header]).commit();
  for await (const rows of pages) {
    if (aborted()) break;
    for (const row of rows) sheet.addRow(row.map(xlsxCell)).commit();
    done += rows.length;
    // exceljs hands the sheet's XML to the zip in 64 KB pieces without waiting for it, so when deflating is slower
    // than reading the database the XML piles up in memory (+114 MB over a 1 M-row export). Waiting for the zip's
    // entry to drain, as for the response, keeps memory at about one page. Reached through exceljs's internals
    // (`stream.pipes`): if a version moves them, this wait is skipped and only the response's remains.
    // The entry is archiver's readable-stream v2 PassThrough, which has no writableNeedDrain: its state says it.
    const entry = (sheet as unknown as { stream?: { pipes?: Array<Writable & { _writableState?: { needDrain?: boolean } }> } }).stream
      ?.pipes?.[0];
    if (entry?._writableState?.needDrain) await once(entry, 'drain');
    if (out.writableNeedDrain) await once(out, 'drain');
    await onPage(done);
  }
  sheet.commit();
  await workbook.commit();
  return done;
}

async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/**
 * A spreadsheet runs a cell that starts with = + - @ as a formula (CSV injection): text cells that do are
 * prefixed with a quote. Numbers are written as numbers, so a negative amount stays a number.
 */
function safeText(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function csvLine(row: readonly ExportCell[]): string {
  return `${row
    .map((cell) => {
      if (cell === null) return '';
      if (typeof cell === 'number') return String(cell);
      const text = safeText(cell);
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    })
    .join(',')}\r\n`;
}

function xlsxCell(cell: ExportCell): string | number | null {
  return typeof cell === 'string' ? safeText(cell) : cell;
}
