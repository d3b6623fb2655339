/**
 * The portal's two limits: the request-rate leaky bucket (per portal) and the per (credential, method)
 * operating-time budget kept in ten one-minute baskets. Both read emulator time, so `timeScale` speeds them up.
 */
import type { OperatingInfo } from './envelope.js'

export interface BucketOptions {
  /** Requests admitted at once before the limit bites (X). */
  burst: number
  /** How much the counter drains per second (Y). */
  drainPerSecond: number
}

export type Plan = 'standard' | 'enterprise' | 'off'

export const PLAN_BUCKETS: Readonly<Record<Exclude<Plan, 'off'>, BucketOptions>> = {
  standard: { burst: 50, drainPerSecond: 2 },
  enterprise: { burst: 250, drainPerSecond: 5 },
}

/** Every request adds 1; the counter drains continuously; at `burst` further requests are refused. */
export class LeakyBucket {
  private level = 0
  private updatedAt: number | undefined

  constructor(readonly options: BucketOptions) {
    if (!(options.burst >= 1) || !(options.drainPerSecond >= 0)) {
      throw new RangeError('bucket needs burst >= 1 and drainPerSecond >= 0')
    }
  }

  /** Admits one request at `now` (emulator seconds), or refuses it without counting it. */
  tryAcquire(now: number): boolean {
    if (this.updatedAt !== undefined) {
      this.level = Math.max(0, this.level - Math.max(0, now - this.updatedAt) * this.options.drainPerSecond)
    }
    this.updatedAt = now
    if (this.level + 1 > this.options.burst) return false
    this.level += 1
    return true
  }

  reset(): void {
    this.level = 0
    this.updatedAt = undefined
  }
}

interface Basket {
  /** Time of the first recorded call in this minute; the basket expires 10 minutes later. */
  startedAt: number
  minute: number
  seconds: number
}

const OPERATING_WINDOW_SECONDS = 600

export interface OperatingOptions {
  /** Seconds of server time per window before a method is blocked. */
  limit: number
  /** Calls cheaper than this are not recorded (0.1 s on the real server). */
  minimalFixTime: number
}

export class OperatingTracker {
  private readonly usage = new Map<string, Basket[]>()

  constructor(readonly options: OperatingOptions) {}

  private live(key: string, now: number): Basket[] {
    const baskets = (this.usage.get(key) ?? []).filter((b) => b.startedAt + OPERATING_WINDOW_SECONDS > now)
    if (baskets.length === 0) this.usage.delete(key)
    else this.usage.set(key, baskets)
    return baskets
  }

  info(key: string, now: number): OperatingInfo {
    const baskets = this.live(key, now)
    const operating = baskets.reduce((sum, basket) => sum + basket.seconds, 0)
    if (baskets.length === 0) return { operating }
    return { operating, resetAt: Math.ceil(baskets[0].startedAt + OPERATING_WINDOW_SECONDS) }
  }

  /** Checked before a call: blocked once the accumulated time is over the limit. */
  isBlocked(key: string, now: number): boolean {
    return this.info(key, now).operating > this.options.limit
  }

  /** Records a finished call's server time (if it is not below `minimalFixTime`). */
  record(key: string, now: number, seconds: number): void {
    if (seconds < this.options.minimalFixTime) return
    const baskets = this.live(key, now)
    const minute = Math.floor(now / 60)
    const last = baskets[baskets.length - 1]
    if (last && last.minute === minute) last.seconds += seconds
    else baskets.push({ startedAt: now, minute, seconds })
    this.usage.set(key, baskets)
  }

  reset(): void {
    this.usage.clear()
  }
}

/** `credential|method`: the unit the operating limit applies to. */
export function operatingKey(credentialKey: string, method: string): string {
  return `${credentialKey}|${method}`
}
