/** qrcode's encoder core without its Node/canvas renderers (the package's own typings cover only the root). */
declare module 'qrcode/lib/core/qrcode' {
  import type { QRCode, QRCodeOptions } from 'qrcode';
  export function create(text: string, options?: QRCodeOptions): QRCode;
}

/**
 * JsBarcode's CODE128 encoder (automatic A/B/C switching) on its own: the package entry bundles every
 * symbology and renderer (~68 KB minified) where this is ~7 KB. It is the class JsBarcode itself uses for
 * `format: 'CODE128'`; `encode()` may be called once per instance.
 */
declare module 'jsbarcode/bin/barcodes/CODE128/CODE128_AUTO' {
  export default class CODE128 {
    constructor(data: string, options: Record<string, unknown>);
    valid(): boolean;
    encode(): { text: string; data: string };
  }
}
