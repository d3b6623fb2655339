/** The lock that lets one process at a time refresh a token that several share. */

export interface LockHold {
  /** True when another holder had the lock first and this one waited for it. */
  waited: boolean
}

/** Lets one process at a time refresh a shared token: in memory for one process, in Redis for many. */
export interface RefreshLock {
  /** Runs `task` while holding the lock `name`, waiting (bounded) while someone else holds it. */
  withLock<T>(name: string, task: (hold: LockHold) => Promise<T>): Promise<T>
}

/** A lock within this process: enough when every token object of a portal lives in one process. */
export class MemoryRefreshLock implements RefreshLock {
  readonly #tails = new Map<string, Promise<unknown>>()

  async withLock<T>(name: string, task: (hold: LockHold) => Promise<T>): Promise<T> {
    const before = this.#tails.get(name)
    const run = (before ?? Promise.resolve()).then(() => task({ waited: before !== undefined }))
    const tail = run.catch(() => {})
    this.#tails.set(name, tail)
    try {
      return await run
    } finally {
      if (this.#tails.get(name) === tail) this.#tails.delete(name)
    }
  }
}
