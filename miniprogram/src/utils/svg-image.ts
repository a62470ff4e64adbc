/**
 * Member-code images are drawn as SVG and shown through `<Image src="data:image/svg+xml;base64,…">`, which
 * renders the same in WeChat and in the browser (no canvas, no DOM). The SVG text is plain ASCII, so a small
 * base64 encoder is enough (btoa does not exist in the mini-program runtime).
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function asciiToBase64(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 3) {
    const a = text.charCodeAt(i);
    const b = i + 1 < text.length ? text.charCodeAt(i + 1) : NaN;
    const c = i + 2 < text.length ? text.charCodeAt(i + 2) : NaN;
    const triple = (a << 16) | ((b || 0) << 8) | (c || 0);
    out += ALPHABET[(triple >> 18) & 63] + ALPHABET[(triple >> 12) & 63];
    out += Number.isNaN(b) ? '=' : ALPHABET[(triple >> 6) & 63];
    out += Number.isNaN(c) ? '=' : ALPHABET[triple & 63];
  }
  return out;
}

export function svgDataUri(svg: string): string {
  return `data:image/svg+xml;base64,${asciiToBase64(svg)}`;
}
