// Plain functions, no decorators: benchmark scripts import them under tsx (README.md, "Toolchain notes").

/**
 * The last member id of the chunk `from` falls in. A run's chunks are aligned to multiples of `span`, whoever
 * cuts them and wherever they start, so two instances (or a resumed run) cut the same ranges.
 */
export function chunkEnd(from: number, span: number): number {
  return Math.floor((from - 1) / span) * span + span;
}

/** The chunks covering ids `first`…`last`, aligned to multiples of the span. */
export function memberIdChunks(first: number, last: number, span: number): Array<[number, number]> {
  const chunks: Array<[number, number]> = [];
  for (let start = chunkEnd(first, span) - span + 1; start <= last; start += span) chunks.push([start, start + span - 1]);
  return chunks;
}

/** How many chunks a run over ids 1…`last` has, and so the number of the chunk ending at `to` (1-based). */
export function chunksUpTo(last: number, span: number): number {
  return last <= 0 ? 0 : Math.ceil(last / span);
}
