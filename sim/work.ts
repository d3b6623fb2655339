/** The work items the coordinator queues in Redis and the workers run. */

export type WorkKind = 'export' | 'write' | 'read'

export interface WorkItem {
  id: number
  /** The portal's host name (`p0001.bitrix24.test`). */
  host: string
  memberId: string
  kind: WorkKind
  /** 1 warm-up; 2 after the token-expiry wave; 3 baseline without the hot portal; 4 with it. */
  phase: 1 | 2 | 3 | 4
  hot: boolean
}

/** The Redis list of queued items (workers move them to their own `taken` list while running them). */
export const WORK_LIST = 'sim:work'

/** Items worker `id` took and has not finished. */
export function takenList(workerId: string): string {
  return `sim:taken:${workerId}`
}
