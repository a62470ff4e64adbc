import CODE128 from 'jsbarcode/bin/barcodes/CODE128/CODE128_AUTO';
import { create as createQr } from 'qrcode/lib/core/qrcode';
import { svgDataUri } from './svg-image';

export interface CodeImage {
  uri: string;
  /** Intrinsic size in SVG units, for the aspect ratio. */
  width: number;
  height: number;
}

/**
 * CODE128 barcode of `text`: JsBarcode's CODE128 encoder gives the bar pattern ("1" = dark module), drawn
 * here as one rect per dark run with a 10-module quiet zone each side, as scanners expect.
 */
export function barcodeImage(text: string, color = '#111111'): CodeImage {
  const encoder = new CODE128(text, {});
  if (!encoder.valid()) throw new RangeError('text cannot be encoded as CODE128');
  const bars = encoder.encode().data;
  const quiet = 10;
  const height = 60;
  const width = bars.length + quiet * 2;
  let path = '';
  for (let x = 0; x < bars.length;) {
    if (bars[x] !== '1') {
      x += 1;
      continue;
    }
    let run = 1;
    while (bars[x + run] === '1') run += 1;
    path += `M${x + quiet} 0h${run}v${height}h-${run}z`;
    x += run;
  }
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width * 4}" height="${height * 4}" ` +
    `preserveAspectRatio="none" shape-rendering="crispEdges">` +
    `<rect width="${width}" height="${height}" fill="#fff"/><path fill="${color}" d="${path}"/></svg>`;
  return { uri: svgDataUri(svg), width, height };
}

/** QR code of `text` (error correction M), dark runs of each row merged into one path segment. */
export function qrImage(text: string, color = '#111111'): CodeImage {
  const { modules } = createQr(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  const quiet = 4;
  let path = '';
  for (let row = 0; row < size; row += 1) {
    for (let col = 0; col < size;) {
      if (!modules.data[row * size + col]) {
        col += 1;
        continue;
      }
      let run = 1;
      while (col + run < size && modules.data[row * size + col + run]) run += 1;
      path += `M${col + quiet} ${row + quiet}h${run}v1h-${run}z`;
      col += run;
    }
  }
  const full = size + quiet * 2;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${full} ${full}" width="${full * 8}" height="${full * 8}" ` +
    `shape-rendering="crispEdges">` +
    `<rect width="${full}" height="${full}" fill="#fff"/><path fill="${color}" d="${path}"/></svg>`;
  return { uri: svgDataUri(svg), width: full, height: full };
}

/** "123456789012345678" → "1234 5678 9012 3456 78". */
export function groupDigits(code: string, size = 4): string {
  return code.replace(/\s+/g, '').replace(new RegExp(`(.{${size}})(?=.)`, 'g'), '$1 ');
}
