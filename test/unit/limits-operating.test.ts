import { describe, expect, it } from 'vitest'
import { markBlocked, mergeReport, type OperatingSnapshot, operatingDelay } from '../../src/limits/index.js'

const policy = { limit: 100, threshold: 0.9, spreadFrom: 0.8 }
const at = (operating: number, resetAt?: number, cost = 5): OperatingSnapshot => ({
  operating,
  ...(resetAt === undefined ? {} : { resetAt }),
  reportedAt: 1000,
  cost,
})
const ctx = { now: 1000, calls: 1, inFlight: 0 }

describe('operating reports', () => {
  it('starts from the first report and averages the cost', () => {
    const first = mergeReport(undefined, { operating: 2, resetAt: 1600, at: 1000, processing: 2 })
    expect(first).toEqual({ operating: 2, resetAt: 1600, reportedAt: 1000, cost: 2 })
    const second = mergeReport(first, { operating: 6, resetAt: 1600, at: 1001, processing: 4 })
    expect(second.operating).toBe(6)
    expect(second.cost).toBeCloseTo(2.6)
  })

  it('keeps the larger usage of reports about the same window, whatever order they arrive in', () => {
    const newer = mergeReport(at(10, 1600), { operating: 8, resetAt: 1600, at: 1005, processing: 1 })
    expect(newer.operating).toBe(10)
    expect(newer.reportedAt).toBe(1005)
  })

  it('takes a later report about a moved window, ignores an earlier one', () => {
    const moved = mergeReport(at(90, 1060), { operating: 30, resetAt: 1120, at: 1061, processing: 5 })
    expect(moved).toMatchObject({ operating: 30, resetAt: 1120, reportedAt: 1061 })
    const late = mergeReport(moved, { operating: 88, resetAt: 1060, at: 1059, processing: 5 })
    expect(late).toMatchObject({ operating: 30, resetAt: 1120 })
  })

  it('a 429 blocks until the known reset, or a minute when unknown', () => {
    expect(markBlocked(at(50, 1300), 1000, 100)).toMatchObject({ blockedUntil: 1300, operating: 100 })
    expect(markBlocked(undefined, 1000, 100)).toMatchObject({ blockedUntil: 1060, resetAt: 1060 })
    expect(markBlocked(at(50, 900), 1000, 100).blockedUntil).toBe(1060)
  })
})

describe('operating decisions', () => {
  it('lets calls through below the threshold', () => {
    expect(operatingDelay(undefined, ctx, policy)).toEqual({ wait: 0 })
    expect(operatingDelay(undefined, { ...ctx, inFlight: 1 }, policy)).toEqual({
      wait: Number.POSITIVE_INFINITY,
      reason: 'operating',
    })
    expect(operatingDelay(at(50, 1300), ctx, policy)).toEqual({ wait: 0 })
    expect(operatingDelay(at(85, 1300), ctx, policy).wait).toBe(0)
  })

  it('waits for the reset once the next call would pass the threshold', () => {
    expect(operatingDelay(at(86, 1300), ctx, policy)).toEqual({ wait: 300, reason: 'operating' })
  })

  it('counts calls in flight and the calls of the request', () => {
    expect(operatingDelay(at(50, 1300), { ...ctx, inFlight: 8 }, policy)).toEqual({ wait: 300, reason: 'operating' })
    expect(operatingDelay(at(50, 1300), { ...ctx, calls: 9 }, policy)).toEqual({ wait: 300, reason: 'operating' })
  })

  it('after the reset, one call goes to fetch a fresh report; the rest wait for it', () => {
    expect(operatingDelay(at(88, 900), ctx, policy)).toEqual({ wait: 0 })
    expect(operatingDelay(at(88, 900), { ...ctx, inFlight: 1 }, policy)).toEqual({
      wait: Number.POSITIVE_INFINITY,
      reason: 'operating',
    })
  })

  it('waits out a 429 block as backoff', () => {
    const blocked = markBlocked(at(50, 1300), 1000, 100)
    expect(operatingDelay(blocked, ctx, policy)).toEqual({ wait: 300, reason: 'backoff' })
    expect(operatingDelay(blocked, { ...ctx, now: 1300 }, policy)).toEqual({ wait: 0 })
  })

  it('spaces calls above spreadFrom so the rest of the budget lasts until the reset', () => {
    // 80 used, 10 left to the threshold, 100 s to the reset, 5 s a call: one call every 50 s.
    const snapshot = at(80, 1100)
    expect(operatingDelay(snapshot, { ...ctx, lastPassAt: 990 }, policy)).toEqual({ wait: 40, reason: 'operating' })
    expect(operatingDelay(snapshot, { ...ctx, lastPassAt: 940 }, policy)).toEqual({ wait: 0 })
    expect(operatingDelay(snapshot, ctx, policy)).toEqual({ wait: 0 })
    expect(operatingDelay(at(79, 1100), { ...ctx, lastPassAt: 999 }, policy)).toEqual({ wait: 0 })
  })
})

describe('operating waits never outlast the 10-minute window', () => {
  it('cuts a reported reset further ahead than the window to the window', () => {
    const hostile = mergeReport(undefined, { operating: 1000, resetAt: 1000 + 1e6, at: 1000, processing: 1 })
    expect(hostile.resetAt).toBe(1600)
    expect(operatingDelay(hostile, ctx, policy)).toEqual({ wait: 600, reason: 'operating' })
    // Once the window since the report has passed, one call goes to fetch a fresh report.
    expect(operatingDelay(hostile, { ...ctx, now: 1600 }, policy)).toEqual({ wait: 0 })
  })

  it('caps a stored reset or block the snapshot cannot vouch for (e.g. written by an older client)', () => {
    const stored: OperatingSnapshot = { ...at(1000, 1000 + 1e6), blockedUntil: 1000 + 1e6 }
    expect(operatingDelay(stored, ctx, policy)).toEqual({ wait: 600, reason: 'backoff' })
    expect(operatingDelay(stored, { ...ctx, now: 1600 }, policy)).toEqual({ wait: 0 })
  })

  it('a 429 blocks no longer than the window, and counts the window from the refusal', () => {
    const blocked = markBlocked({ ...at(50), resetAt: 1000 + 1e6, reportedAt: 400 }, 1000, 100)
    expect(blocked).toMatchObject({ blockedUntil: 1600, reportedAt: 1000 })
    expect(operatingDelay(blocked, ctx, policy)).toEqual({ wait: 600, reason: 'backoff' })
  })
})
