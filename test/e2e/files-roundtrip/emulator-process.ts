/**
 * The emulator of the file round trip, in its own process so that its memory is not the client's: prints one JSON
 * line with the portal and an OAuth token, then runs until its stdin closes.
 */
import { startEmulator } from '../../../src/emulator/index.js'

const emu = await startEmulator({ plan: 'off', seed: { deals: 3 }, randomSeed: 1 })
const app = emu.createApp({ scopes: 'all' })
const issued = emu.issueToken({ clientId: app.clientId })
process.stdout.write(
  `${JSON.stringify({
    url: emu.url,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    accessToken: issued.accessToken,
    refreshToken: issued.refreshToken,
    expires: issued.expires,
  })}\n`,
)
process.stdin.resume()
process.stdin.on('end', () => {
  emu.close().then(() => process.exit(0))
})
