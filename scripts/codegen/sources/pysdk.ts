/** The reference Python SDK's method list (spec/b24pysdk-methods.txt): every name must stay callable. */
import { readFileSync } from 'node:fs'

export function readPysdkNames(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
}
