/** Timer waits the limiter uses: abortable, and optionally cut short by a wake-up call. */

const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * Resolves after `ms`, or earlier when the function handed to `onWake` is called; rejects with `signal.reason`
 * on abort. `onWake` returns a function that unregisters it.
 */
export function wait(ms: number, signal?: AbortSignal, onWake?: (wake: () => void) => () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    let unregister: (() => void) | undefined
    const finish = (error?: { reason: unknown }) => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      unregister?.()
      if (error) reject(error.reason)
      else resolve()
    }
    const onAbort = () => finish({ reason: signal?.reason })
    const timer = setTimeout(() => finish(), Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(ms))))
    signal?.addEventListener('abort', onAbort, { once: true })
    unregister = onWake?.(() => finish())
  })
}

export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}
