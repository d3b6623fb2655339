/** The official JS SDK (@bitrix24/b24jssdk) set up against an emulator: an OAuth client for a registered app. */
import { B24OAuth } from '@bitrix24/b24jssdk'
import type { AppCredentials, Emulator } from '../../src/emulator/index.js'

/** A B24OAuth holding a freshly issued token pair of `app` (as after installation by user 1). */
export function jsSdkOAuth(emu: Emulator, app: AppCredentials): B24OAuth {
  const token = emu.issueToken({ clientId: app.clientId })
  return new B24OAuth(
    {
      applicationToken: app.applicationToken,
      userId: token.userId,
      memberId: token.memberId,
      accessToken: token.accessToken,
      refreshToken: token.refreshToken,
      expires: token.expires,
      expiresIn: token.expiresIn,
      scope: token.scope,
      domain: emu.domain,
      clientEndpoint: token.clientEndpoint,
      serverEndpoint: token.serverEndpoint,
      status: token.status,
    } as ConstructorParameters<typeof B24OAuth>[0],
    { clientId: app.clientId, clientSecret: app.clientSecret },
  )
}
