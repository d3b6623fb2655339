/**
 * One file transfer beside the client's own calls: the URL signed for the portal (and only for the portal), the
 * limiter asked first, a `fetch` that may stream its body, an expired OAuth token renewed and the request sent
 * once more when its body can be sent again, and the portal's error envelope turned into the typed error.
 */
import { parseUrl } from '../auth/address.js'
import type { AuthContext, Credentials } from '../auth/credentials.js'
import { apiErrorFromResponse, BitrixRequestError, BitrixValidationError, describeValue } from '../errors/index.js'
import { createDefaultFileFetch } from '../http/default-transport.js'
import { parseEnvelope, type SuccessEnvelope } from '../http/envelope.js'
import type { FetchFunction } from '../http/transport.js'
import type { Limiter } from '../limits/index.js'
import { parseTime } from '../requests/response.js'

/** What the file helpers need of a `Client`: its credentials, its limiter and the context its credentials sign in. */
export interface FileClient {
  /** The portal's credentials. */
  readonly credentials: Credentials
  /** The limiter that paces the client's requests; transfers wait in it too. */
  readonly limiter: Limiter
  /** The context credentials sign and refresh with (`Client.authContext`). */
  authContext(): AuthContext
}

/** Options every transfer takes. */
export interface TransferOptions {
  /** Cancels the transfer, including a stream being read. Transfers have no read timeout of their own. */
  signal?: AbortSignal
  /**
   * The `fetch` to send with. Default: on Node `node:http(s)` streamed with backpressure (Node's own `fetch` reads a
   * streamed request body into memory as fast as it can), elsewhere `globalThis.fetch`.
   */
  fetch?: FetchFunction
}

/** A URL ready to send: `portal` tells whether it is the portal's and so carries the credentials. */
export interface SignedUrl {
  /** The URL to request. */
  url: string
  /** True when the URL's origin is the portal's: only then were credentials added. */
  portal: boolean
  /** The auth parameters added (OAuth `auth`); empty for webhooks and foreign hosts. */
  used: Record<string, string>
}

/** The portal's origin, `https://example.bitrix24.com` (from the credentials' REST URL). */
function portalOrigin(credentials: Credentials): URL {
  return new URL(credentials.restUrl())
}

const WEBHOOK_PATH = /^\/rest\/\d+\/[^/]+\//

/**
 * Signs a download or upload URL the way the portal expects, only when it points at the portal: the origin
 * (scheme, host and port as the WHATWG URL parser reads them) must be the portal's. A relative URL
 * (`/bitrix/components/…/show_file.php?…`) is the portal's. OAuth: `auth` is set to the current access token
 * (renewed first when expired). Webhook: `/rest/<method>` becomes `/rest/<user>/<key>/<method>`; other portal
 * paths are sent as they are. A URL on another host gets no credentials.
 */
export async function signFileUrl(client: FileClient, url: string): Promise<SignedUrl> {
  const { credentials } = client
  const base = portalOrigin(credentials)
  const parsed = typeof url === 'string' ? parseUrl(url.trim(), base.origin) : null
  if (parsed === null || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw new BitrixValidationError({
      parameter: 'url',
      expected: 'an http(s) URL or a path of the portal',
      received: typeof url === 'string' ? '(unparsable URL)' : url,
      message: `url must be a download or upload URL the portal returned (DOWNLOAD_URL, urlMachine, downloadUrl, uploadUrl); received ${typeof url === 'string' ? 'a string the URL parser refuses' : describeValue(url)}`,
    })
  }
  if (parsed.origin !== base.origin || parsed.username !== '' || parsed.password !== '') {
    return { url: parsed.href, portal: false, used: {} }
  }
  if (credentials.authType === 'oauth') {
    const used = await credentials.authParams(client.authContext())
    for (const [name, value] of Object.entries(used)) parsed.searchParams.set(name, value)
    return { url: parsed.href, portal: true, used }
  }
  const method = /^\/rest\/([^/]+)$/.exec(parsed.pathname)
  if (method && !WEBHOOK_PATH.test(parsed.pathname)) {
    parsed.pathname = `${base.pathname}${method[1]}`
    if (parsed.searchParams.get('auth') === '') parsed.searchParams.delete('auth')
  }
  return { url: parsed.href, portal: true, used: {} }
}

let sharedFetch: FetchFunction | undefined
const defaultFetch = (): FetchFunction => {
  sharedFetch ??= createDefaultFileFetch()
  return sharedFetch
}

/** One request of a transfer: its URL, the name the limiter and errors use, and how to build its body. */
export interface TransferRequest {
  /** The URL as the portal gave it (signed here). */
  url: string
  /** The name the limiter and errors use: the REST method, or `download` / `upload`. */
  method: string
  /** `GET` or `POST`. */
  httpMethod: 'GET' | 'POST'
  /** Headers to send. */
  headers?: Record<string, string>
  /** Builds the body; called again for a second attempt only when `replayable`. */
  body?: () => BodyInit
  /** Whether the body can be built again (bytes, a Blob) so an expired token can be renewed and the call resent. */
  replayable: boolean
}

const ERROR_BODY_LIMIT = 1 << 20

async function readErrorText(response: Response): Promise<string> {
  const reader = response.body?.getReader()
  if (!reader) return ''
  const decoder = new TextDecoder()
  let text = ''
  try {
    while (text.length < ERROR_BODY_LIMIT) {
      const { done, value } = await reader.read()
      if (done) break
      text += decoder.decode(value, { stream: true })
    }
  } finally {
    await reader.cancel().catch(() => undefined)
  }
  return text + decoder.decode()
}

/** The typed error for an answer that is not a success: the portal's error envelope, or a parse error. */
export async function failedAnswer(response: Response, method: string): Promise<Error> {
  const text = await readErrorText(response)
  const envelope = parseEnvelope(response.status, text, response.headers.get('content-type') ?? undefined, method)
  if (envelope.ok) return new BitrixRequestError({ method, message: `${method}: HTTP ${response.status}`, sent: true })
  return apiErrorFromResponse(response.status, envelope.body, method)
}

function isAuthFailure(status: number): boolean {
  return status === 401
}

/**
 * Sends one transfer request and returns the response (any status ≥ 200 < 300; errors are thrown typed). The
 * limiter is asked first and told afterwards; an OAuth 401 renews the token and sends again once when the body
 * is replayable.
 */
export async function transfer(
  client: FileClient,
  request: TransferRequest,
  options: TransferOptions,
): Promise<Response> {
  const fetchFn = options.fetch ?? defaultFetch()
  for (let attempt = 1; ; attempt += 1) {
    await client.limiter.acquire([request.method], options.signal)
    let response: Response
    let signed: SignedUrl
    try {
      signed = await signFileUrl(client, request.url)
      const init: RequestInit & { duplex?: 'half' } = {
        method: request.httpMethod,
        headers: request.headers,
        signal: options.signal,
        redirect: 'follow',
      }
      if (request.body) {
        init.body = request.body()
        if (typeof ReadableStream !== 'undefined' && init.body instanceof ReadableStream) init.duplex = 'half'
      }
      response = await fetchFn(signed.url, init)
    } catch (cause) {
      client.limiter.record([request.method], {})
      if (cause instanceof Error && cause.name.startsWith('Bitrix')) throw cause
      throw new BitrixRequestError({ method: request.method, cause, sent: true })
    }
    if (response.ok) return response
    const error = await failedAnswer(response, request.method)
    client.limiter.record([request.method], {})
    const canRenew = signed.portal && isAuthFailure(response.status) && attempt === 1 && request.replayable
    if (canRenew && (await client.credentials.renew(client.authContext(), signed.used))) continue
    throw error
  }
}

/** Reads a success envelope from a transfer response (uploads answer like REST calls); tells the limiter. */
export async function envelopeOf(client: FileClient, response: Response, method: string): Promise<SuccessEnvelope> {
  let time: SuccessEnvelope['time']
  try {
    const text = await response.text()
    const envelope = parseEnvelope(response.status, text, response.headers.get('content-type') ?? undefined, method)
    if (!envelope.ok) throw apiErrorFromResponse(response.status, envelope.body, method)
    time = envelope.time
    return envelope
  } finally {
    client.limiter.record([method], time ? { time: parseTime(time) } : {})
  }
}
