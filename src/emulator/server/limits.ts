/**
 * The portal's two limits: the request-rate leaky bucket (per portal) and the per (credential, method)
 * operating-time budget kept in ten one-minute baskets. Both read emulator time, so `timeScale` speeds them up.
 */
import type { OperatingInfo } from './envelope.js'

/** A custom leaky bucket: how many requests fit, and how many drain per second. */
export interface BucketOptions {
  /** Requests admitted at once before the limit bites (X). */
  burst: number
  /** How much the counter drains per second (Y). */
  drainPerSecond: number
  /**
   * `steps` (default): the counter drops by Y once per second, at each whole second of emulator time, as
   * settings/performance/limits.md describes ("decreases by Y once per second"). `continuous`: it drains
   * smoothly, Y per second pro rata.
   */
  drain?: 'steps' | 'continuous'
}

/** The portal's rate plan: standard (burst 50, 2 per s), enterprise (250, 5 per s), or no bucket at all. */
export type Plan = 'standard' | 'enterprise' | 'off'

export const PLAN_BUCKETS: Readonly<Record<Exclude<Plan, 'off'>, BucketOptions>> = {
  standard: { burst: 50, drainPerSecond: 2 },
  enterprise: { burst: 250, drainPerSecond: 5 },
}

/** Every request adds 1; the counter drains by steps (or continuously); at `burst` further requests are refused. */
export class LeakyBucket {
  private level = 0
  private updatedAt: number | undefined

  constructor(readonly options: BucketOptions) {
    if (!(options.burst >= 1) || !(options.drainPerSecond >= 0)) {
      throw new RangeError('bucket needs burst >= 1 and drainPerSecond >= 0')
    }
    if (options.drain !== undefined && options.drain !== 'steps' && options.drain !== 'continuous') {
      throw new RangeError(`bucket drain must be 'steps' or 'continuous', got ${String(options.drain)}`)
    }
  }

  /** Seconds of draining between two instants: whole-second boundaries crossed, or the exact span. */
  private drained(from: number, to: number): number {
    if (this.options.drain === 'continuous') return Math.max(0, to - from)
    return Math.max(0, Math.floor(to) - Math.floor(from))
  }

  /** Admits one request at `now` (emulator seconds), or refuses it without counting it. */
  tryAcquire(now: number): boolean {
    if (this.updatedAt !== undefined) {
      this.level = Math.max(0, this.level - this.drained(this.updatedAt, now) * this.options.drainPerSecond)
    }
    // Never moves backwards, so a step is not counted twice.
    this.updatedAt = Math.max(now, this.updatedAt ?? now)
    if (this.level + 1 > this.options.burst) return false
    this.level += 1
    return true
  }

  reset(): void {
    this.level = 0
    this.updatedAt = undefined
  }
}

/**
 * One bucket per source address, shared by every app and webhook calling from it (limits.md: "Bitrix24
 * considers the IP address of the request source").
 */
export class SourceBuckets {
  private readonly buckets = new Map<string, LeakyBucket>()

  constructor(readonly options: BucketOptions) {
    // Validates the options once, at start, rather than on the first request.
    new LeakyBucket(options).reset()
  }

  tryAcquire(source: string, now: number): boolean {
    let bucket = this.buckets.get(source)
    if (!bucket) {
      bucket = new LeakyBucket(this.options)
      this.buckets.set(source, bucket)
    }
    return bucket.tryAcquire(now)
  }

  reset(): void {
    this.buckets.clear()
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
