/**
 * The OAuth `state` against CSRF: a value the app signs before sending the user to `/oauth/authorize/` and checks
 * when the portal sends them back. Signed with HMAC-SHA-256 (WebCrypto: Node 20, Bun, Deno, edge runtimes), it
 * expires, can be bound to the user's session, and is checked in constant time (`crypto.subtle.verify`).
 */
import { BitrixIncomingRejected, BitrixValidationError } from '../errors/index.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** The secret (and session) a state is signed with. */
export interface OAuthStateOptions {
  /** The app's signing secret (at least 32 characters; not the client secret, which the OAuth server knows). */
  secret: string
  /**
   * What ties the state to one browser session (a session ID or a cookie's value): verification then needs the
   * same value, so a state taken from one user's flow is worthless in another's.
   */
  binding?: string
  /** Now, in milliseconds since the epoch (tests); default `Date.now()`. */
  now?: number
}

/** How long a new state lives and what it carries. */
export interface CreateOAuthStateOptions extends OAuthStateOptions {
  /** Seconds the state stays valid; default 600 (the user has ten minutes to authorize). */
  ttlSeconds?: number
  /** Text to carry through the flow (where to send the user afterwards); readable by anyone, signed. */
  data?: string
}

/** What a verified state carried. */
export interface VerifiedOAuthState {
  data: string | undefined
  /** Unix milliseconds when it expires. */
  expiresAt: number
}

function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function fromBase64url(value: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(value)) return undefined
  try {
    const binary = atob(value.replace(/-/g, '+').replace(/_/g, '/'))
    return Uint8Array.from(binary, (char) => char.charCodeAt(0))
  } catch {
    return undefined
  }
}

async function hmacKey(secret: string): Promise<CryptoKey> {
  if (typeof secret !== 'string' || secret.length < 32) {
    throw new BitrixValidationError({
      message: 'the OAuth state secret must be a string of at least 32 characters (e.g. 32 random bytes, hex)',
      parameter: 'secret',
      expected: 'string of 32+ characters',
    })
  }
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ])
}

/** The signed bytes: the payload, then the binding (never sent), separated so neither can leak into the other. */
const signedBytes = (payload: string, binding: string | undefined) => encoder.encode(`${payload}\u0000${binding ?? ''}`)

/** A signed, expiring `state` for `authorizationUrl`. */
export async function createOAuthState(options: CreateOAuthStateOptions): Promise<string> {
  const key = await hmacKey(options?.secret)
  const ttl = options.ttlSeconds ?? 600
  if (!Number.isFinite(ttl) || ttl <= 0) {
    throw new BitrixValidationError({ parameter: 'ttlSeconds', expected: 'a positive number', received: ttl })
  }
  const nonce = base64url(crypto.getRandomValues(new Uint8Array(16)))
  const expiresAt = Math.floor((options.now ?? Date.now()) + ttl * 1000)
  const payload = base64url(encoder.encode(JSON.stringify({ n: nonce, e: expiresAt, d: options.data })))
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, signedBytes(payload, options.binding)))
  return `${payload}.${base64url(signature)}`
}

const rejected = (reason: 'state-invalid' | 'state-expired', detail: string) =>
  new BitrixIncomingRejected({ reason, field: 'state', detail })

/**
 * Checks a `state` from the OAuth redirect: signed by this secret (and binding), not expired. Throws
 * `BitrixIncomingRejected` (`state-invalid` or `state-expired`, HTTP 400) otherwise.
 */
export async function verifyOAuthState(
  state: string | undefined,
  options: OAuthStateOptions,
): Promise<VerifiedOAuthState> {
  const key = await hmacKey(options?.secret)
  if (typeof state !== 'string' || state === '') throw rejected('state-invalid', 'the redirect carries no state')
  const dot = state.indexOf('.')
  const payload = state.slice(0, dot)
  const signature = dot > 0 ? fromBase64url(state.slice(dot + 1)) : undefined
  if (signature === undefined || signature.length !== 32) throw rejected('state-invalid', 'not a state this app signed')
  const genuine = await crypto.subtle.verify('HMAC', key, signature, signedBytes(payload, options.binding))
  if (!genuine) throw rejected('state-invalid', 'the signature does not match (another app, session or a forgery)')
  let parsed: { e?: unknown; d?: unknown }
  try {
    parsed = JSON.parse(decoder.decode(fromBase64url(payload))) as { e?: unknown; d?: unknown }
  } catch {
    throw rejected('state-invalid', 'the signed payload is unreadable')
  }
  const expiresAt = Number(parsed.e)
  if (!Number.isFinite(expiresAt)) throw rejected('state-invalid', 'the signed payload has no expiry')
  if ((options.now ?? Date.now()) >= expiresAt)
    throw rejected('state-expired', 'the authorization took too long; start again')
  return { data: typeof parsed.d === 'string' ? parsed.d : undefined, expiresAt }
}
