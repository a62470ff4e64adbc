/**
 * JSON.parse that keeps integers beyond 2^53 exact, as decimal strings. WeChat sends ids such as a subscribe
 * message's `msgid` (294402298110051942) as bare JSON numbers larger than a double holds exactly: parsed
 * plainly they are rounded, and the id no longer matches WeChat's later events about the message. Safe
 * integers, fractions and exponents stay numbers.
 */
export function parseJsonLosslessly(text: string): unknown {
  // Strings are matched whole first so digits inside them are never touched; a number is an integer only
  // when no digit, point or exponent sits right before or after it.
  const quoted = text.replace(/"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])-?\d{16,}(?![\d.eE])/g, (token) => {
    if (token.startsWith('"') || Number.isSafeInteger(Number(token))) return token;
    return `"${token}"`;
  });
  return JSON.parse(quoted);
}
