/** Shared by the generators that write Markdown (the README's figures, the sim's reports and docs/scale.md). */
import { spawnSync } from 'node:child_process'

/** Formats generated Markdown files as the repository's formatter does (aligned tables), so lint stays clean. */
export function formatMarkdown(paths: readonly string[]): void {
  spawnSync('npx', ['biome', 'format', '--write', ...paths], { stdio: 'ignore', timeout: 60_000 })
}
