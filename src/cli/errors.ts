/** How the command fails: a usage error (exit 2) or a failed call (exit 1), printed as one line, never a stack. */
import { BitrixAPIError, BitrixError, BitrixValidationError } from '../errors/index.js'
import { redact } from '../log/index.js'

/** Exit codes: 0 success, 1 the portal or the network failed, 2 the command line or a parameter was wrong. */
export const EXIT_OK = 0
export const EXIT_FAILED = 1
export const EXIT_USAGE = 2

/** The command line was wrong: what to fix, and the usage of the command that was run. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError'
  readonly usage: string | undefined

  constructor(message: string, usage?: string) {
    super(message)
    this.usage = usage
  }
}

/** The portal's own words for an API error: `CODE: description (HTTP status, method)`. */
export function describeApiError(error: BitrixAPIError): string {
  const where = [error.status ? `HTTP ${error.status}` : '', error.method ?? ''].filter(Boolean).join(', ')
  const words = [error.error, error.errorDescription].filter(Boolean).join(': ') || error.message
  return `${words}${where ? ` (${where})` : ''}`
}

/** The line printed for any failure and the exit code it gives; every secret is masked. */
export function reportFailure(error: unknown, secrets: readonly string[]): { text: string; exitCode: number } {
  const mask = (text: string) => redact(text, secrets)
  if (error instanceof CliUsageError) {
    const usage = error.usage ? `\n\n${error.usage}` : ''
    return { text: mask(`b24tssdk: ${error.message}${usage}`), exitCode: EXIT_USAGE }
  }
  if (error instanceof BitrixValidationError) return { text: mask(`b24tssdk: ${error.message}`), exitCode: EXIT_USAGE }
  if (error instanceof BitrixAPIError) return { text: mask(`Error: ${describeApiError(error)}`), exitCode: EXIT_FAILED }
  if (error instanceof BitrixError) return { text: mask(`Error: ${error.message}`), exitCode: EXIT_FAILED }
  const message = error instanceof Error ? error.message : String(error)
  return { text: mask(`Error: ${message}`), exitCode: EXIT_FAILED }
}
