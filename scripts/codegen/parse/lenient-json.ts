/** JSON as the docs write it: comments, trailing commas and `...` placeholders are tolerated. */

function clean(src: string): string {
  let out = ''
  let i = 0
  while (i < src.length) {
    const ch = src[i]
    if (ch === '"') {
      let j = i + 1
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\') j++
        if (src[j] === '\n') break
        j++
      }
      out += src.slice(i, j + 1)
      i = j + 1
      continue
    }
    if (ch === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++
      continue
    }
    if (ch === '#' && /^\s*$/.test(out.slice(out.lastIndexOf('\n') + 1))) {
      while (i < src.length && src[i] !== '\n') i++
      continue
    }
    if (ch === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2)
      i = end === -1 ? src.length : end + 2
      continue
    }
    if (src.startsWith('...', i)) {
      i += 3
      continue
    }
    if (ch === '…') {
      i++
      continue
    }
    out += ch
    i++
  }
  return out
}

/** Drop commas that follow an opening bracket or another comma, or precede a closing bracket (outside strings). */
function fixCommas(src: string): string {
  let out = ''
  let i = 0
  while (i < src.length) {
    const ch = src[i]
    if (ch === '"') {
      let j = i + 1
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\') j++
        j++
      }
      out += src.slice(i, j + 1)
      i = j + 1
      continue
    }
    if (ch === ',') {
      const before = out.trimEnd().slice(-1)
      const after = src.slice(i + 1).trimStart()[0]
      if (before === '[' || before === '{' || before === ',' || after === ']' || after === '}') {
        i++
        continue
      }
    }
    out += ch
    i++
  }
  return out
}

/** Lines of prose standing in for omitted data ("48 more leads with similar structure"). */
function dropProse(src: string): string {
  return src
    .split('\n')
    .filter(
      (line) => !/^\s*(?=[^"]*[A-Za-z]{3})[\w][^"{}[\]:]*$/.test(line) || /^\s*(true|false|null)\s*,?\s*$/.test(line),
    )
    .join('\n')
}

const ESCAPABLE = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't', 'u'])

/** Last resort: escape stray backslashes and raw newlines in strings, add commas missing between lines. */
function repair(src: string): string {
  let out = ''
  let i = 0
  while (i < src.length) {
    const ch = src[i]
    if (ch === '"') {
      const previous = out.trimEnd().slice(-1)
      if ((previous === '}' || previous === ']' || previous === '"') && /\n\s*$/.test(out)) out = `${out.trimEnd()},\n`
      let j = i + 1
      let str = '"'
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\') {
          str += ESCAPABLE.has(src[j + 1]) ? src.slice(j, j + 2) : '\\\\'
          j += ESCAPABLE.has(src[j + 1]) ? 2 : 1
          continue
        }
        str += src[j] === '\n' ? '\\n' : src[j]
        j++
      }
      out += `${str}"`
      i = j + 1
      continue
    }
    if (ch === '{' || ch === '[') {
      const previous = out.trimEnd().slice(-1)
      if ((previous === '}' || previous === ']' || previous === '"') && /\n\s*$/.test(out)) out = `${out.trimEnd()},\n`
    }
    out += ch
    i++
  }
  return out
}

/** Parse, or return undefined when even the lenient form is not JSON. */
export function parseLenientJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    // fall through to the lenient form
  }
  const cleaned = fixCommas(clean(dropProse(text)))
  const attempts = [
    cleaned,
    cleaned
      .replace(/:\s*(?=[,}\]])/g, ': null')
      .replace(/\bTrue\b/g, 'true')
      .replace(/\bFalse\b/g, 'false')
      .replace(/\bNone\b/g, 'null'),
  ]
  attempts.push(repair(attempts[1]))
  for (const attempt of attempts) {
    try {
      return JSON.parse(attempt)
    } catch {
      // try the next form
    }
  }
  return undefined
}
