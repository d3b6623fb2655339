/**
 * The app behind every framework example: installations kept in memory by `member_id` (use your database or the
 * SDK's stores in production), deals announced by `ONCRMDEALADD`. One handler, `Request` → `Response`, mounted the
 * way each framework mounts one.
 */
import { type AppInstallation, createAppHandler } from 'b24tssdk'

export function createExampleApp() {
  const installations = new Map<string, AppInstallation>()
  const deals: string[] = []
  const handler = createAppHandler({
    findInstallation: (memberId) => installations.get(memberId),
    onInstall: (installation) => {
      installations.set(installation.memberId, installation)
    },
    onUninstall: (event) => {
      installations.delete(event.auth.memberId)
    },
    events: {
      ONCRMDEALADD: (event) => {
        deals.push(event.data.FIELDS?.ID ?? '?')
      },
    },
    onRejected: (error) => console.warn(error.message),
  })
  return { handler, installations, deals }
}

/** A started example: where it listens, how to stop it, and what its app saw. */
export interface RunningExample {
  url: string
  close(): Promise<void>
  app: ReturnType<typeof createExampleApp>
}
