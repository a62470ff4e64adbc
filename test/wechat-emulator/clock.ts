// The emulator's own clock. Codes and tokens expire by it, so tests can jump 300 s or 2 h
// ahead without waiting; real time only drives injected delays.
export class Clock {
  private offsetMs = 0;

  constructor(private readonly base: () => number = Date.now) {}

  /** Milliseconds since the epoch, as the emulated WeChat sees it. */
  now(): number {
    return this.base() + this.offsetMs;
  }

  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  /**
   * The base clock without /dev/clock jumps. A jump can't move the server's own clock, so WeChat Pay's
   * signature timestamps (which the server compares with its clock, ±5 min) follow this one.
   */
  baseNow(): number {
    return this.base();
  }

  /** Only forward: WeChat's clock never goes back, and nothing here is written to undo expiry. */
  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError('advanceSeconds must be a number >= 0');
    this.offsetMs += seconds * 1000;
  }

  get offsetSeconds(): number {
    return this.offsetMs / 1000;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
