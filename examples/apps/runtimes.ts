/**
 * The same handler on Bun and Deno, with no adapter: both serve a WHATWG `fetch` handler natively.
 *   bun examples/apps/runtimes.ts
 *   deno run --sloppy-imports --allow-net=127.0.0.1 --allow-env examples/apps/runtimes.ts
 * Prints the URL it listens on (a free port on 127.0.0.1), then serves until stopped.
 */
import { createExampleApp } from './app.js'

declare const Bun:
  | {
      serve(options: { port: number; hostname: string; fetch: (request: Request) => Promise<Response> }): {
        port: number
      }
    }
  | undefined
declare const Deno:
  | {
      serve(
        options: { port: number; hostname: string; onListen?: (address: { port: number }) => void },
        handler: (request: Request) => Promise<Response>,
      ): unknown
    }
  | undefined

const { handler, deals } = createExampleApp()
const counted = async (request: Request): Promise<Response> => {
  const response = await handler(request)
  // What the app saw, for whoever drives this example (the tests do).
  response.headers.set('x-deals', deals.join(','))
  return response
}

if (typeof Bun !== 'undefined') {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: counted })
  console.log(`listening http://127.0.0.1:${server.port}/`)
} else if (typeof Deno !== 'undefined') {
  Deno.serve(
    { port: 0, hostname: '127.0.0.1', onListen: ({ port }) => console.log(`listening http://127.0.0.1:${port}/`) },
    counted,
  )
} else {
  console.error('run this with bun or deno')
}
