import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { DomainError } from '../common/domain-error';

/** The cells of an uploaded sheet as text: the first row is the header. */
export interface SheetRows {
  header: string[];
  /** Data rows in file order; index i is the file's row i + 2 (the header is row 1). */
  rows: string[][];
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/**
 * Reads a CSV (UTF-8, with or without Excel's BOM) or an XLSX (its first sheet). The kind is told by the bytes,
 * not the file name. Rows with every cell empty are dropped (spreadsheets keep formatted empty rows).
 */
export async function readSheet(bytes: Buffer, maxRows: number): Promise<SheetRows> {
  const all = bytes.subarray(0, 4).equals(ZIP_MAGIC) ? await readXlsx(bytes) : readCsv(bytes);
  const [header, ...rest] = all;
  if (!header || header.every((cell) => cell === '')) throw new DomainError('IMPORT_FILE_INVALID');
  const rows = rest.filter((row) => row.some((cell) => cell !== ''));
  if (rows.length > maxRows) throw new DomainError('IMPORT_TOO_MANY_ROWS', undefined, { rows: rows.length, maxRows });
  return { header, rows };
}

function readCsv(bytes: Buffer): string[][] {
  const text = bytes.toString('utf8');
  // A file saved as GBK by an old Excel decodes to replacement characters: refuse it rather than import garbage.
  if (text.includes('\uFFFD')) throw new DomainError('IMPORT_FILE_INVALID', undefined, { reason: 'not UTF-8' });
  try {
    return (parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][]).map((row) =>
      row.map((cell) => String(cell ?? '').trim()),
    );
  } catch (error) {
    throw new DomainError('IMPORT_FILE_INVALID', undefined, { reason: (error as Error).message.slice(0, 200) });
  }
}

async function readXlsx(bytes: Buffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (error) {
    throw new DomainError('IMPORT_FILE_INVALID', undefined, { reason: (error as Error).message.slice(0, 200) });
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new DomainError('IMPORT_FILE_INVALID');
  const rows: string[][] = [];
  const width = sheet.columnCount;
  sheet.eachRow({ includeEmpty: true }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let column = 1; column <= width; column++) cells.push(cellText(row.getCell(column).value));
    rows[rowNumber - 1] = cells;
  });
  return Array.from(rows, (row) => row ?? []);
}

/** A cell as the text a person sees: dates as YYYY-MM-DD (Excel stores them as UTC midnight), numbers plain. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value);
  if (typeof value === 'object') {
    if ('richText' in value)
      return value.richText
        .map((part) => part.text)
        .join('')
        .trim();
    if ('text' in value) return String(value.text).trim();
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    return '';
  }
  return String(value).trim();
}
