/**
 * Where the portal put the app: the parent's host, scheme and the app's session ID (`APP_SID`). The portal names
 * the app's iframe `DOMAIN|PROTOCOL|APP_SID` and also puts `DOMAIN`, `PROTOCOL`, `LANG` and `APP_SID` into the
 * query string of the handler URL; the iframe name wins (it survives in-app navigation).
 */
import { BitrixFrameError } from './errors.js'

export interface FrameLaunch {
  /** `host[:port]` of the portal, no default port. */
  domain: string
  scheme: 'http' | 'https'
  appSid: string
  /** Interface language from the query string, when the portal gave one. */
  lang: string | undefined
  /** `scheme://domain`: the only origin messages from the parent are accepted from. */
  parentOrigin: string
}

const DEFAULT_PORT = /:(80|443)$/
/** A host with an optional port: no scheme, path, credentials or separators. */
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/
const APP_SID = /^[A-Za-z0-9_-]+$/

/** Reads the launch data from `window.name` (`DOMAIN|PROTOCOL|APP_SID`), else from the query string. */
export function readLaunch(name: string, search: string, inFrame: boolean): FrameLaunch {
  if (!inFrame) {
    throw new BitrixFrameError(
      'NOT_IN_FRAME',
      'initFrame: this page is not inside a frame; open it from the Bitrix24 portal (an app page or placement)',
    )
  }
  const query = new URLSearchParams(search)
  const [nameDomain, nameProtocol, nameSid] = name.includes('|') ? name.split('|') : []
  const domain = (nameDomain || query.get('DOMAIN') || '').replace(DEFAULT_PORT, '')
  const protocol = nameDomain ? nameProtocol : query.get('PROTOCOL')
  const appSid = (nameDomain ? nameSid : query.get('APP_SID')) ?? ''
  if (!HOST.test(domain) || !APP_SID.test(appSid)) {
    throw new BitrixFrameError(
      'NOT_IN_FRAME',
      'initFrame: no portal launch data (DOMAIN and APP_SID in window.name or the query string); open this page ' +
        'from the Bitrix24 portal as the handler of an app or placement',
    )
  }
  const scheme = protocol === '1' ? 'https' : 'http'
  return { domain, scheme, appSid, lang: query.get('LANG') ?? undefined, parentOrigin: `${scheme}://${domain}` }
}
