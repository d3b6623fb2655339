/** What a child process printed and how it ended, for tests that run the command line. */
import type { ChildProcessWithoutNullStreams } from 'node:child_process'

export interface ChildOutcome {
  code: number | null
  stdout: string
  stderr: string
}

/** Closes the child's stdin and collects its output until it exits (killed after `timeoutMs`). */
export function childOutcome(child: ChildProcessWithoutNullStreams, timeoutMs: number): Promise<ChildOutcome> {
  child.stdin.end()
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}
