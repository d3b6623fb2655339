import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Emulator time: Unix seconds that run `timeScale` times faster than the wall clock and can be pushed forward
 * with `advance`. Token lifetimes, the leaky bucket, the operating-time window and the envelope's `time` block
 * all read it.
 */
export class EmulatorClock {
  readonly timeScale: number
  readonly realDelays: boolean
  private readonly startReal = performance.now()
  private readonly startEmulated = Date.now() / 1000
  private offset = 0
  /** The portal's time zone, minutes east of UTC; envelope dates are printed in it. */
  tzMinutes = 0

  constructor(timeScale: number, realDelays: boolean) {
    if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new RangeError('timeScale must be a positive number')
    this.timeScale = timeScale
    this.realDelays = realDelays
  }

  now(): number {
    return this.startEmulated + this.offset + ((performance.now() - this.startReal) / 1000) * this.timeScale
  }

  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError('advanceTime takes a non-negative number')
    this.offset += seconds
  }

  /** Waits out simulated server time: `seconds / timeScale` of real time, or nothing without real delays. */
  async spend(seconds: number): Promise<void> {
    if (this.realDelays && seconds > 0) await sleep((seconds / this.timeScale) * 1000)
  }
}

/** `date('c', $ts)` in the portal's time zone (minutes east of UTC): `2024-07-23T10:11:02+02:00`. */
export function formatIsoSeconds(unixSeconds: number, offsetMinutes = 0): string {
  const local = new Date((Math.floor(unixSeconds) + offsetMinutes * 60) * 1000).toISOString().slice(0, 19)
  const sign = offsetMinutes < 0 ? '-' : '+'
  const abs = Math.abs(offsetMinutes)
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
}
