/**
 * Regenerates spec/ from the official REST docs: `npm run codegen`.
 * Also writes the typed incoming events (src/app/generated/events.ts) from the event pages.
 * Reads B24_DOCS_DIR (default ../shared/b24restdocs), spec/b24pysdk-methods.txt and spec/overrides.json.
 */
import { writeFileSync } from 'node:fs'
import { buildCatalog } from './build/catalog.js'
import { buildEventModels } from './build/event-shapes.js'
import { computeStats, statsLine } from './build/stats.js'
import { docsDir, docsDirExists, METHODS_FILE, OVERRIDES_FILE, PYSDK_FILE, README_FILE } from './config.js'
import { writeEvents } from './emit/events.js'
import { emitReadme } from './emit/readme.js'
import { emitSpec } from './emit/spec.js'
import { writeGenerated } from './emit/typescript.js'
import { discover } from './parse/discover.js'
import { listEventPages, parseEventPage } from './parse/event-page.js'
import { readOverrides } from './sources/overrides.js'
import { readPysdkNames } from './sources/pysdk.js'

function main(): number {
  const dir = docsDir()
  if (!docsDirExists(dir)) {
    console.error(
      `codegen: the Bitrix24 REST docs were not found at ${dir} (expected an api-reference/ folder there).\n` +
        'Clone them next to the repository as ../shared/b24restdocs or point B24_DOCS_DIR at them.',
    )
    return 1
  }
  const discovery = discover(dir)
  const pysdkNames = readPysdkNames(PYSDK_FILE)
  const specs = buildCatalog({
    pages: discovery.methods,
    pysdkNames,
    overrides: readOverrides(OVERRIDES_FILE),
  })
  const stats = computeStats(specs, discovery)
  writeFileSync(METHODS_FILE, emitSpec(specs))
  writeFileSync(README_FILE, emitReadme(stats))
  writeGenerated(specs, pysdkNames)
  const events = buildEventModels(listEventPages(dir).map((page) => parseEventPage(dir, page)))
  writeEvents(events)
  console.log(statsLine(stats))
  console.log(
    `events: ${events.length} codes, ${events.filter((e) => e.data !== undefined).length} typed from examples`,
  )
  return 0
}

process.exitCode = main()
