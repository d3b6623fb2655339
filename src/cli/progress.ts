/** The progress line of `list` on a terminal: rows, rate, and with a known total a bar and the time left. */
import type { Writable } from 'node:stream'

export interface ProgressState {
  rows: number
  /** Rows expected in all, when the portal said. */
  total: number | undefined
  elapsedMs: number
}

const BAR_WIDTH = 24

function compact(value: number): string {
  if (value >= 10_000_000) return `${Math.round(value / 1_000_000)}M`
  if (value >= 10_000) return `${Math.round(value / 1_000)}k`
  return String(Math.round(value))
}

/** `1:05`, `1:02:03`. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds))
  const h = Math.floor(whole / 3600)
  const m = Math.floor((whole % 3600) / 60)
  const s = String(whole % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`
}

/**
 * One progress line, a pure function of the state:
 * `[#########---------------]  38% 1,900/5,000 rows  950 rows/s  ETA 0:03` with a total,
 * `1,900 rows  950 rows/s` without one.
 */
export function formatProgress({ rows, total, elapsedMs }: ProgressState): string {
  const seconds = elapsedMs / 1000
  const rate = seconds > 0 ? rows / seconds : 0
  const speed = `${compact(rate)} rows/s`
  if (total === undefined || total <= 0) return `${rows.toLocaleString('en-US')} rows  ${speed}`
  const share = Math.min(1, rows / total)
  const filled = Math.round(share * BAR_WIDTH)
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`
  const percent = `${String(Math.floor(share * 100)).padStart(3)}%`
  const count = `${rows.toLocaleString('en-US')}/${total.toLocaleString('en-US')} rows`
  const eta = rate > 0 ? formatDuration(Math.max(0, total - rows) / rate) : '--:--'
  return `${bar} ${percent} ${count}  ${speed}  ETA ${eta}`
}

/** Redraws the line on a terminal at most every `intervalMs`; does nothing when the stream is not a TTY. */
export class ProgressBar {
  readonly #stream: Writable & { isTTY?: boolean }
  readonly #started = Date.now()
  readonly #intervalMs: number
  #drawnAt = 0
  #rows = 0
  total: number | undefined

  constructor(stream: Writable & { isTTY?: boolean }, intervalMs = 100) {
    this.#stream = stream
    this.#intervalMs = intervalMs
  }

  get enabled(): boolean {
    return this.#stream.isTTY === true
  }

  tick(rows = 1): void {
    this.#rows += rows
    if (!this.enabled) return
    const now = Date.now()
    if (now - this.#drawnAt < this.#intervalMs) return
    this.#drawnAt = now
    this.#draw(now)
  }

  /** Draws the final state and moves to a new line. */
  finish(): void {
    if (!this.enabled) return
    this.#draw(Date.now())
    this.#stream.write('\n')
  }

  #draw(now: number): void {
    const line = formatProgress({ rows: this.#rows, total: this.total, elapsedMs: now - this.#started })
    this.#stream.write(`\r${line}\u001b[K`)
  }
}
