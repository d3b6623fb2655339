/**
 * The portal's clock as seen from here: answers carry the portal's time (`time.start`), and an emulator may run
 * `timeScale` times faster. Each answer gives a lower bound of the offset (it started before it arrived), so the
 * largest one seen is kept; erring early only makes waits a little longer.
 */
export class ServerClock {
  readonly timeScale: number
  readonly #origin: number
  #offset: number | undefined

  constructor(timeScale = 1, origin: number = Date.now()) {
    this.timeScale = timeScale
    this.#origin = origin
  }

  /** A portal timestamp (Unix seconds) received at local time `localMs`. */
  observe(serverSeconds: number, localMs: number = Date.now()): void {
    if (!Number.isFinite(serverSeconds) || serverSeconds <= 0) return
    const offset = serverSeconds - this.#scaled(localMs)
    this.#offset = this.#offset === undefined ? offset : Math.max(this.#offset, offset)
  }

  /** Portal time now (Unix seconds); before any answer, local wall time at creation running at `timeScale`. */
  now(localMs: number = Date.now()): number {
    return this.#scaled(localMs) + (this.#offset ?? this.#origin / 1000)
  }

  /** Real milliseconds for `seconds` of portal time. */
  toMs(seconds: number): number {
    return (seconds * 1000) / this.timeScale
  }

  #scaled(localMs: number): number {
    return ((localMs - this.#origin) / 1000) * this.timeScale
  }
}
