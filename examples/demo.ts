/**
 * A walk through everything the SDK does, translated from the reference SDK's README: credentials, deferred
 * requests, lists, batches, metadata, config, errors, events and logging. It starts the local portal emulator
 * in-process; with a portal in the environment (B24_WEBHOOK_URL, or B24_DOMAIN with B24_WEBHOOK or an OAuth app:
 * see the README's table) it runs the read-only steps against that portal instead.
 *
 *   npm run demo
 *
 * It imports the package by its name, as an app does: copy any part of it into a project that installed b24tssdk.
 */
import { pathToFileURL } from 'node:url'
import {
  BitrixApp,
  BitrixAppLocal,
  BitrixToken,
  BitrixTokenLocal,
  BitrixWebhook,
  Client,
  Config,
  type Credentials,
  credentialsFromSettings,
  readPortalSettings,
  ref,
} from 'b24tssdk'
import { startEmulator } from 'b24tssdk/emulator'
import { BitrixAPIError, BitrixAPIMethodNotFound, BitrixValidationError } from 'b24tssdk/errors'
import { type AbstractLogger, NullLogger } from 'b24tssdk/log'

export interface DemoOptions {
  /** Where the demo prints what each step returned. */
  print?: (line: string) => void
  /** The SDK's logger for the run (debug lines of every call). */
  logger?: AbstractLogger
  /** A real portal's credentials: only the read-only steps run there. */
  portal?: Credentials
}

export async function runDemo(options: DemoOptions = {}): Promise<void> {
  const print = options.print ?? ((line: string) => console.log(line))
  const step = (title: string) => print(`\n== ${title}`)
  new Config().configure({ logger: options.logger ?? new NullLogger() })

  if (options.portal) {
    await readOnlySteps(new Client(options.portal), print, step)
    return
  }

  const emulator = await startEmulator({ seed: { deals: 3_000, contacts: 200, users: 12 }, randomSeed: 7 })
  try {
    step('Webhook credentials')
    const fromUrl = BitrixWebhook.fromUrl(emulator.webhookUrl)
    const webhookKey = emulator.webhookUrl.split('/').at(-2)!
    const webhook = new BitrixWebhook({ domain: emulator.url, authToken: `1/${webhookKey}` })
    print(`webhook for user ${webhook.userId} on ${webhook.domain} (also read from a URL: ${fromUrl.domain})`)
    const client = new Client(webhook)

    await readOnlySteps(client, print, step)

    step('Deal CRUD: .result and .time')
    const added = await client.crm.deal.add({ fields: { TITLE: 'Demo deal', OPPORTUNITY: 1500, CURRENCY_ID: 'EUR' } })
    const dealId = Number(added.result)
    print(`crm.deal.add → ${dealId} in ${added.time.duration.toFixed(4)} s`)
    const got = await client.crm.deal.get({ id: dealId })
    print(`crm.deal.get → TITLE=${got.result.TITLE} OPPORTUNITY=${got.result.OPPORTUNITY}`)
    const updated = await client.crm.deal.update({ id: dealId, fields: { TITLE: 'Demo deal (renamed)' } })
    print(`crm.deal.update → ${updated.result}`)
    const request = client.crm.deal.get({ id: dealId })
    const first = await request
    const again = await request
    print(`a request is sent once: awaiting twice gives the same response: ${first === again}`)
    print(`.call() sends it again: ${(await request.call()) !== first}`)
    const deleted = await client.crm.deal.delete({ id: dealId })
    print(`crm.deal.delete → ${deleted.result}`)

    step('Batch with a reference between commands')
    const me = client.user.current()
    const batch = await client.callBatch({
      me,
      department: client.department.get({ ID: ref(me).UF_DEPARTMENT[0] }),
      deal: client.crm.deal.get({ id: 1 }),
    })
    const department = batch.result.result.department as Array<{ NAME?: string }> | undefined
    print(
      `user ${batch.result.result.me?.ID} works in "${department?.[0]?.NAME}"; deal 1 is "${batch.result.result.deal?.TITLE}"`,
    )
    const positional = await client.callBatch([client.server.time(), client.profile()])
    print(
      `positional batch → server.time=${positional.result.result[0]}, profile.ID=${positional.result.result[1]?.ID}`,
    )

    step('callBatches: any number of commands, 50 per request')
    const gets = Object.fromEntries(
      Array.from({ length: 120 }, (_, i) => [`deal${i + 1}`, client.crm.deal.get({ id: i + 1 })]),
    )
    const before = emulator.getStats().httpRequests
    const many = await client.callBatches(gets)
    print(
      `120 crm.deal.get → ${Object.keys(many.result).length} results in ${emulator.getStats().httpRequests - before} HTTP requests`,
    )

    step('Errors are typed')
    try {
      await client.call('crm.nothing.here')
    } catch (error) {
      if (error instanceof BitrixAPIMethodNotFound) print(`${error.name}: ${error.error} (HTTP ${error.status})`)
    }
    try {
      await client.crm.deal.get({ id: 987_654_321 })
    } catch (error) {
      if (error instanceof BitrixAPIError) print(`${error.name}: "${error.errorDescription}" (HTTP ${error.status})`)
    }
    try {
      await client.crm.deal.get({ id: 'abc' as unknown as number })
    } catch (error) {
      if (error instanceof BitrixValidationError) print(`${error.name}: ${error.message}`)
    }

    step('OAuth application: token renewal event')
    const appCredentials = emulator.createApp({ scopes: 'all' })
    const issued = emulator.issueToken({ clientId: appCredentials.clientId })
    const app = new BitrixApp({ ...appCredentials, oauthServer: emulator.url })
    const token = new BitrixToken({
      domain: emulator.url,
      authToken: issued.accessToken,
      refreshToken: issued.refreshToken,
      expires: issued.expires,
      bitrixApp: app,
    })
    token.on('oauthTokenRenewed', (event) =>
      print(`oauthTokenRenewed: new token until ${new Date(event.expires * 1000).toISOString()} — persist it`),
    )
    const oauthClient = new Client(token)
    print(`profile via OAuth → ID ${(await oauthClient.profile()).result.ID}`)
    emulator.expireTokens()
    print(`after the token expired, the next call refreshes it: ${(await oauthClient.server.time()).result}`)

    step('Local application')
    const localApp = new BitrixAppLocal({
      domain: emulator.url,
      ...emulator.createApp({ scopes: ['crm', 'user'] }),
      oauthServer: emulator.url,
    })
    const localIssued = emulator.issueToken({ clientId: localApp.clientId })
    const localToken = new BitrixTokenLocal({
      authToken: localIssued.accessToken,
      refreshToken: localIssued.refreshToken,
      bitrixApp: localApp,
    })
    print(`local app reads deal 2: ${(await new Client(localToken).crm.deal.get({ id: 2 })).result.TITLE}`)

    step('Portal domain change')
    client.on('portalDomainChanged', (event) => print(`portalDomainChanged: ${event.oldDomain} → ${event.newDomain}`))
    await emulator.changeDomain()
    print(`the call was re-sent to the new address: ${(await client.crm.deal.get({ id: 3 })).result.ID}`)
  } finally {
    await emulator.close()
  }
}

async function readOnlySteps(
  client: Client,
  print: (line: string) => void,
  step: (title: string) => void,
): Promise<void> {
  step('A call: crm.deal.fields')
  const fields = await client.crm.deal.fields()
  print(`crm.deal.fields → ${Object.keys(fields.result as object).length} fields`)

  step('One page of a list, with filter and select, and its metadata')
  const page = await client.crm.deal.list({ filter: { '>OPPORTUNITY': 1000 }, select: ['ID', 'TITLE', 'OPPORTUNITY'] })
  print(`crm.deal.list → ${page.result.length} rows, total ${page.total}, next ${page.next}`)
  print(
    `time: duration ${page.time.duration.toFixed(4)} s, processing ${page.time.processing.toFixed(4)} s, operating ${page.time.operating}, from ${page.time.dateStart}`,
  )

  step('asList: every record as an array')
  const all = await client.crm.deal.list({ select: ['ID'], filter: { '<ID': 500 } }).asList()
  print(`asList → ${all.length} deals`)

  step('asListFast: a lazy stream by ID, ~2,500 rows per request')
  let count = 0
  let last = 0
  for await (const deal of client.crm.deal.list({ select: ['ID', 'TITLE'] }).asListFast()) {
    count++
    last = Number(deal.ID)
  }
  print(`asListFast → ${count} deals, the last one ${last}`)

  step('Config: process-wide defaults')
  const config = new Config().configure({ defaultTimeout: [5, 30], defaultMaxRetries: 2 })
  print(`timeout ${JSON.stringify(config.defaultTimeout)}, retries ${config.defaultMaxRetries}`)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const settings = readPortalSettings()
  if (settings)
    console.log(`a portal is set in the environment: running the read-only steps against ${settings.domain}`)
  runDemo({ portal: settings && credentialsFromSettings(settings) }).then(
    () => console.log('\ndemo finished'),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    },
  )
}
