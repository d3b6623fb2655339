/**
 * The portals of one emulator, by host name. One listening address serves them all: a request goes to the
 * portal its `Host` header names (port ignored, any case), and to the default portal when no named portal has
 * that host name — so the single-portal emulator answers every host as before. Named portals are built on their
 * first request or first use (`emu.portal(host)`), so a thousand registered portals cost a name each until touched.
 */
import type { EmulatedPortal } from './portal.js'

/** Host name of the `n`-th named portal: `p0001.bitrix24.test` (four digits at least). */
export function portalHostName(n: number): string {
  return `p${String(n).padStart(4, '0')}.bitrix24.test`
}

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/

/** `P0001.Bitrix24.Test:8443` → `p0001.bitrix24.test`; `[::1]:80` → `[::1]`. */
function hostOnly(header: string): string {
  const lower = header.trim().toLowerCase()
  if (lower.startsWith('[')) return lower.slice(0, lower.indexOf(']') + 1)
  const colon = lower.indexOf(':')
  return colon < 0 ? lower : lower.slice(0, colon)
}

export class PortalDirectory {
  /** Named portals by host name: the index, and the portal once built. */
  private readonly named = new Map<string, { index: number; portal: EmulatedPortal | undefined }>()
  private builtCount = 0

  constructor(
    readonly main: EmulatedPortal,
    private readonly build: (index: number, host: string) => EmulatedPortal,
  ) {}

  /** Host names of the named portals, in the order they were added. */
  hosts(): string[] {
    return [...this.named.keys()]
  }

  /** How many portals hold state: the default one and every named one that was touched. */
  get active(): number {
    return 1 + this.builtCount
  }

  /** Registers a named portal (nothing is built yet); default name `pNNNN.bitrix24.test`. Returns the name. */
  add(host?: string): string {
    const name = host === undefined ? portalHostName(this.named.size + 1) : host.trim().toLowerCase()
    if (!HOST_NAME.test(name)) {
      throw new RangeError(`portal host must be a DNS name such as p0001.bitrix24.test, got ${JSON.stringify(host)}`)
    }
    if (this.named.has(name)) throw new RangeError(`a portal named ${name} already exists`)
    this.named.set(name, { index: this.named.size + 1, portal: undefined })
    return name
  }

  /** The canonical name of the named portal `host` (any case, port ignored), or `undefined`; builds nothing. */
  name(host: string): string | undefined {
    const name = hostOnly(host)
    return this.named.has(name) ? name : undefined
  }

  /** The named portal `host` (built now if it was not yet), or `undefined` when no portal has that name. */
  get(host: string): EmulatedPortal | undefined {
    const entry = this.named.get(hostOnly(host))
    if (!entry) return undefined
    if (!entry.portal) {
      entry.portal = this.build(entry.index, hostOnly(host))
      this.builtCount += 1
    }
    return entry.portal
  }

  /** The portal a request's `Host` header names; the default portal for any other host. */
  route(hostHeader: string | undefined): EmulatedPortal {
    return (hostHeader && this.named.size > 0 && this.get(hostHeader)) || this.main
  }

  /** Every portal that holds state, the default one first. */
  *built(): Iterable<EmulatedPortal> {
    yield this.main
    for (const entry of this.named.values()) if (entry.portal) yield entry.portal
  }

  /** The portal that issued the code or refresh token `key` (only built portals can have issued one). */
  grantOwner(key: unknown): EmulatedPortal | undefined {
    for (const portal of this.built()) if (portal.credentials.holdsGrant(key)) return portal
    return undefined
  }
}
