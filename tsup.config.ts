/**
 * Two builds of one source tree:
 *
 * - ESM (`dist/*.js`) with shared chunks. The default transport is not bundled into it: `src/http/transport.ts`
 *   imports it as the package's own `#default-transport`, which package.json maps to the `node:http(s)` variant
 *   under the `node` condition and to the fetch variant everywhere else, so a browser bundle of the ESM build has
 *   no Node built-in in it. No shims: they would put `path`/`url` into every entry.
 * - CJS (`dist/*.cjs`) for `require` on Node: one file per entry with the Node transport inside, no chunk splitting
 *   (tsup's CJS splitting renames classes to `_classN`). The entries that hold classes a caller checks with
 *   `instanceof` (`errors`, `log`) are required from their own file instead of being copied into each entry.
 *
 * `keepNames` in both, so `error.name`, `constructor.name` and error-tracker grouping see the source names.
 */
import { dirname, resolve } from 'node:path'
import type { Plugin } from 'esbuild'
import { defineConfig, type Options } from 'tsup'

const publicEntries = {
  index: 'src/index.ts',
  errors: 'src/errors/index.ts',
  log: 'src/log/index.ts',
  frame: 'src/frame/index.ts',
  emulator: 'src/emulator/index.ts',
  redis: 'src/redis/index.ts',
  otel: 'src/otel/index.ts',
}

const DEFAULT_TRANSPORT = resolve('src/http/default-transport.ts')

/** An import of `src/<file>.ts` (written `./<file>.js`) by a module inside src/, as an absolute source path. */
function sourcePath(specifier: string, importer: string): string {
  return resolve(dirname(importer), specifier).replace(/\.js$/, '.ts')
}

/** ESM: `./default-transport.js` becomes the package import `#default-transport` (chosen by condition at run time). */
const defaultTransportByCondition: Plugin = {
  name: 'default-transport-by-condition',
  setup(build) {
    build.onResolve({ filter: /default-transport\.js$/ }, (args) =>
      args.kind !== 'entry-point' && sourcePath(args.path, args.importer) === DEFAULT_TRANSPORT
        ? { path: '#default-transport', external: true }
        : undefined,
    )
  },
}

/** CJS: another public entry is required from its own `.cjs` file, so its classes exist once per process. */
const sharedEntriesByRequire: Plugin = {
  name: 'shared-entries-by-require',
  setup(build) {
    const files = new Map(
      (['errors', 'log'] as const).map((name) => [resolve(publicEntries[name]), `./${name}.cjs`] as const),
    )
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind === 'entry-point') return undefined
      const file = files.get(sourcePath(args.path, args.importer))
      return file ? { path: file, external: true } : undefined
    })
  },
}

const common: Options = {
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  keepNames: true,
  shims: false,
  removeNodeProtocol: false,
}

export default defineConfig([
  {
    ...common,
    entry: {
      ...publicEntries,
      cli: 'src/cli/main.ts',
      'default-transport.node': 'src/http/default-transport.ts',
      'default-transport': 'src/http/default-transport.browser.ts',
    },
    format: ['esm'],
    splitting: true,
    clean: false,
    dts: { entry: publicEntries },
    esbuildPlugins: [defaultTransportByCondition],
  },
  {
    ...common,
    entry: publicEntries,
    format: ['cjs'],
    splitting: false,
    clean: false,
    dts: { entry: publicEntries },
    esbuildPlugins: [sharedEntriesByRequire],
    // The emulator finds its catalogue through `import.meta.url` in ESM and `__dirname` in CJS (doc-examples.ts).
    esbuildOptions(options) {
      options.logOverride = { 'empty-import-meta': 'silent' }
    },
  },
])
