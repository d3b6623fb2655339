/** Page facts outside the tables: title, scopes, deprecation, which method the page documents. */
import type { Section } from './markdown.js'

/** A REST method name: dotted identifiers (`crm.deal.list`, `imbot.v2.Bot.list`) or a bare one (`batch`). */
const DOTTED = /^[a-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/

export function pageTitle(sections: Section[]): string | null {
  return sections.find((s) => s.level === 1)?.title ?? null
}

/** The method name a title ends with ("Get Deal by Id crm.deal.get"), or that it mentions once. */
export function titleMethod(title: string): string | null {
  const words = title
    .replace(/[()`*]/g, ' ')
    .split(/\s+/)
    .map((w) => w.replace(/[.,:;]+$/, ''))
    .filter((w) => DOTTED.test(w) && !/\.\*$/.test(w))
  if (words.length === 0) return null
  return words[words.length - 1]
}

export interface UrlMention {
  name: string
  version: 2 | 3
}

const WEBHOOK_URL = /\/rest\/(api\/)?\*\*put_your_user_id_here\*\*\/\*\*put_your_webhook_here\*\*\/([A-Za-z][\w.]*)/g
const OAUTH_URL = /\*\*put_your_bitrix24_address\*\*\/rest\/(api\/)?([A-Za-z][\w.]*[A-Za-z0-9_])/g

/** Methods called by the page's cURL examples, most frequent first (ties: first seen). */
export function urlMethods(text: string): UrlMention[] {
  const counts = new Map<string, { mention: UrlMention; count: number; order: number }>()
  for (const re of [WEBHOOK_URL, OAUTH_URL]) {
    for (const m of text.matchAll(re)) {
      const name = m[2].replace(/\.json$/, '')
      if (name === 'api' || name.startsWith('**')) continue
      const version = m[1] === undefined ? 2 : 3
      const key = `${version}:${name}`
      const entry = counts.get(key) ?? { mention: { name, version }, count: 0, order: counts.size }
      entry.count++
      counts.set(key, entry)
    }
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.order - b.order).map((e) => e.mention)
}

/** The first name in "The `x.y` method" / "The method `x.y`" in the page's lead paragraphs. */
export function leadMethod(intro: string): string | null {
  const m = /\b(?:the\s+)?(?:method\s+`([\w.]+)`|`([\w.]+)`\s+method)/i.exec(intro)
  return m === null ? null : (m[1] ?? m[2])
}

const SCOPE_LINE = /^>\s*Scope:(.*)$/m
const SCOPE_CODE = /^[a-z][a-z0-9_.]*$/

/** Scope codes from "> Scope: [`crm`](...), [`user_brief`](...)" — first one is the primary. */
export function pageScopes(text: string): string[] {
  const m = SCOPE_LINE.exec(text)
  if (m === null) return []
  let line = m[1]
  if (line.trim() === '') {
    const rest = text.slice(m.index + m[0].length).split('\n')
    line = rest
      .slice(0, 6)
      .filter((l) => /^>\s*-/.test(l))
      .join(' ')
  }
  const scopes: string[] = []
  for (const code of line.matchAll(/`([^`]+)`/g)) {
    for (const part of code[1].split(',')) {
      const scope = part.trim()
      if (SCOPE_CODE.test(scope) && !scopes.includes(scope)) scopes.push(scope)
    }
  }
  return scopes
}

const DEPRECATION_NOTE =
  /\{%\s*note[^%]*"[^"]*(deprecat|discontinued|halted|outdated|obsolete)[^"]*"\s*%\}|development of (this|the) method (has been|was) (halted|discontinued|stopped)|method development has been (halted|discontinued)|^\s*\*\*DEPRECATED\*\*/im

/** Deprecated by folder (`outdated/`, `deprecated/`) or by a note before the first level-2 heading. */
export function isDeprecated(path: string, sections: Section[]): boolean {
  if (/(^|\/)(outdated|deprecated)\//.test(path)) return true
  const preamble = sections
    .filter((s) => s.level <= 1)
    .map((s) => s.body)
    .join('\n')
  return DEPRECATION_NOTE.test(preamble)
}
