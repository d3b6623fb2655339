import { BitrixError, type BitrixErrorJSON, bodyExcerpt } from './base.js'

/** What a `BitrixPortalMoveRefused` is built from: where the portal pointed, and why the move was refused. */
export interface BitrixPortalMoveRefusedOptions {
  /** Origin the request went to, e.g. `https://old.bitrix24.com`. */
  from: string
  /** Origin of the `Location`, or the raw (redacted) `Location` when it is not a URL. */
  to: string
  /** `invalidLocation`: not a URL; `plainHttp`: http to a non-loopback host; `notAllowed`: the policy refused. */
  reason: 'invalidLocation' | 'plainHttp' | 'notAllowed'
}

const REASONS: Record<BitrixPortalMoveRefusedOptions['reason'], string> = {
  invalidLocation: 'the Location header is not a valid URL',
  plainHttp: 'plain http is accepted only from a loopback portal to a loopback host',
  notAllowed:
    'the target is not a Bitrix24 cloud portal, not on the same registrable domain and not loopback from loopback; pass the client option allowPortalMove(from, to) to accept it',
}

/**
 * The portal answered 3xx to a host the SDK does not follow (see `allowPortalMove`). Nothing was sent to the
 * target and the credentials still point at `from`.
 */
export class BitrixPortalMoveRefused extends BitrixError {
  override readonly name: string = 'BitrixPortalMoveRefused'
  readonly from: string
  readonly to: string
  readonly reason: BitrixPortalMoveRefusedOptions['reason']

  constructor(options: BitrixPortalMoveRefusedOptions) {
    const from = String(options.from ?? '')
    const to = bodyExcerpt(String(options.to ?? ''))
    const why = REASONS[options.reason] ?? 'not accepted'
    super(`Portal move from ${from} to ${to || '(empty)'} refused: ${why}. Nothing was sent there.`)
    this.from = from
    this.to = to
    this.reason = options.reason
  }

  override toJSON(): BitrixErrorJSON {
    const { from, to, reason } = this
    return { ...super.toJSON(), from, to, reason }
  }
}
