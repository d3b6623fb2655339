/**
 * The `.xml` transport, minimal: `<response>` root, a tag per key, numeric keys as `<item>`, scalars as text
 * (true → `1`, false and null → empty), like the portal's `outputXml`.
 */

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
}

function tagName(key: string): string {
  if (/^\d/.test(key)) return 'item'
  const safe = key.replace(/[^A-Za-z0-9_.-]/g, '_')
  return safe === '' ? 'item' : safe
}

function toXml(value: unknown, depth: number): string {
  if (depth > 64) return ''
  if (value === null || value === undefined || value === false) return ''
  if (value === true) return '1'
  if (typeof value !== 'object') return escapeXml(String(value))
  const entries: [string, unknown][] =
    value instanceof Map
      ? [...value.entries()].map(([k, v]) => [String(k), v])
      : Array.isArray(value)
        ? value.map((v, i) => [String(i), v])
        : Object.entries(value)
  return entries
    .map(([key, item]) => {
      const tag = tagName(key)
      return `<${tag}>${toXml(item, depth + 1)}</${tag}>`
    })
    .join('')
}

export function encodeXml(body: unknown): string {
  return `<?xml version="1.0" encoding="utf-8"?><response>${toXml(body, 0)}</response>`
}
