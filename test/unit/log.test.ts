import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  AbstractLogger,
  BaseLogger,
  isLogLevel,
  LOG_LEVELS,
  type LogContext,
  type Logger,
  type LogLevel,
  type LogRecordLevel,
  NullLogger,
  StreamLogger,
  secretRegistry,
} from '../../src/log/index.js'

const NOW = new Date('2026-05-14T10:26:32.123Z')
const TOKEN = 'ydtj8pho532wydb5ixk78ol7uqlb7sch'

function capture(options: ConstructorParameters<typeof StreamLogger>[0] = {}) {
  const chunks: string[] = []
  const logger = new StreamLogger({ now: () => NOW, ...options, stream: { write: (chunk) => chunks.push(chunk) } })
  return { logger, chunks }
}

afterEach(() => {
  secretRegistry.clear()
  vi.restoreAllMocks()
})

describe('StreamLogger text format', () => {
  it('writes one line: ISO time, level, message, key=value context', () => {
    const { logger, chunks } = capture()
    logger.info('deal loaded', { method: 'crm.deal.get', id: 2, ok: true, none: null, skipped: undefined })
    expect(chunks).toEqual(['2026-05-14T10:26:32.123Z INFO  deal loaded method=crm.deal.get id=2 ok=true none=null\n'])
  })

  it('quotes strings that need it and writes objects as compact JSON', () => {
    const { logger, chunks } = capture()
    logger.warn('retry', { reason: 'rate limited', empty: '', 'odd key': 1, params: { select: ['ID'] }, big: 10n })
    expect(chunks[0]).toBe(
      '2026-05-14T10:26:32.123Z WARN  retry reason="rate limited" empty="" "odd key"=1 params={"select":["ID"]} big=10\n',
    )
  })

  it('escapes line breaks so one record stays one line', () => {
    const { logger, chunks } = capture()
    logger.error('first\nFAKE 2026 ERROR forged\r\nx', { text: 'a\nb' })
    expect(chunks).toHaveLength(1)
    expect(chunks[0].trimEnd()).not.toMatch(/[\r\n]/)
    expect(chunks[0]).toBe('2026-05-14T10:26:32.123Z ERROR first\\nFAKE 2026 ERROR forged\\r\\nx text="a\\nb"\n')
  })

  it('writes errors in the context as name and message', () => {
    const { logger, chunks } = capture()
    logger.error('failed', { error: new TypeError('fetch failed') })
    expect(chunks[0]).toContain('error={"name":"TypeError","message":"fetch failed"}')
  })
})

describe('StreamLogger json format', () => {
  it('writes one JSON object per line, with the context nested', () => {
    const { logger, chunks } = capture({ format: 'json', level: 'debug' })
    logger.debug('call', { method: 'crm.deal.list', level: 'shadow', n: 5n })
    logger.info('plain')
    expect(chunks.every((chunk) => chunk.endsWith('\n'))).toBe(true)
    expect(JSON.parse(chunks[0])).toEqual({
      time: '2026-05-14T10:26:32.123Z',
      level: 'debug',
      message: 'call',
      context: { method: 'crm.deal.list', level: 'shadow', n: '5' },
    })
    expect(JSON.parse(chunks[1])).toEqual({ time: '2026-05-14T10:26:32.123Z', level: 'info', message: 'plain' })
  })
})

describe('level filtering', () => {
  const levels: LogRecordLevel[] = ['debug', 'info', 'warn', 'error']

  it.each([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
    ['silent', []],
  ] as [LogLevel, LogRecordLevel[]][])('threshold %s lets %j through', (threshold, passed) => {
    const { logger, chunks } = capture({ level: threshold, format: 'json' })
    for (const level of levels) logger[level](level)
    expect(chunks.map((chunk) => JSON.parse(chunk).level)).toEqual(passed)
    expect(levels.filter((level) => logger.isEnabled(level))).toEqual(passed)
    expect(logger.isEnabled('silent')).toBe(false)
  })

  it('defaults to info, can be changed, and rejects unknown levels', () => {
    const { logger, chunks } = capture()
    expect(logger.level).toBe('info')
    logger.debug('hidden')
    logger.level = 'debug'
    logger.debug('shown')
    expect(chunks).toHaveLength(1)
    expect(() => {
      logger.level = 'verbose' as LogLevel
    }).toThrow(/Unknown log level "verbose"/)
    expect(() => new StreamLogger({ format: 'xml' as 'json' })).toThrow(/Unknown log format/)
  })

  it('knows its levels', () => {
    expect(LOG_LEVELS).toEqual(['debug', 'info', 'warn', 'error', 'silent'])
    expect(isLogLevel('warn')).toBe(true)
    expect(isLogLevel('trace')).toBe(false)
    expect(isLogLevel('toString')).toBe(false)
  })
})

describe('redaction in loggers', () => {
  it('masks registered secrets a caller logs by mistake, in message and context', () => {
    secretRegistry.add(TOKEN)
    const { logger, chunks } = capture()
    logger.info(`token is ${TOKEN}`, { note: `again ${TOKEN}`, list: [TOKEN] })
    expect(chunks[0]).not.toContain('ydtj8pho')
    expect(chunks[0]).toBe('2026-05-14T10:26:32.123Z INFO  token is *** note="again ***" list=["***"]\n')
  })

  it('masks secret keys and URL secrets without any registration, in both formats', () => {
    for (const format of ['text', 'json'] as const) {
      const { logger, chunks } = capture({ format })
      logger.info('request', {
        url: 'https://p.bitrix24.com/rest/1/k3yk3yk3y/crm.deal.get?auth=abc123',
        auth: { access_token: 'nested-secret' },
        headers: { Authorization: 'Bearer abcdefghijkl' },
        clientSecret: 'cs-value',
      })
      expect(chunks[0], format).not.toMatch(/k3yk3yk3y|abc123|nested-secret|abcdefghijkl|cs-value/)
      expect(chunks[0], format).toContain('/rest/1/***/crm.deal.get?auth=***')
    }
  })

  it('can use its own secret list', () => {
    secretRegistry.add(TOKEN)
    const { logger, chunks } = capture({ secrets: ['only-this-one'] })
    logger.info(`only-this-one ${TOKEN}`)
    expect(chunks[0]).toBe(`2026-05-14T10:26:32.123Z INFO  *** ${TOKEN}\n`)
  })
})

describe('BaseLogger subclasses', () => {
  class ArrayLogger extends BaseLogger {
    readonly lines: [LogRecordLevel, string][] = []
    protected write(line: string, level: LogRecordLevel): void {
      this.lines.push([level, line])
    }
  }

  it('receive finished lines with their level', () => {
    const logger = new ArrayLogger({ level: 'warn', now: () => NOW })
    logger.info('dropped')
    logger.warn('kept', { a: 1 })
    expect(logger.lines).toEqual([['warn', '2026-05-14T10:26:32.123Z WARN  kept a=1']])
  })

  it('never let a failing write escape into the caller', () => {
    class Broken extends BaseLogger {
      protected write(): void {
        throw new Error('disk full')
      }
    }
    expect(() => new Broken().error('x')).not.toThrow()
  })

  it('may override the layout', () => {
    class Short extends ArrayLogger {
      protected override formatLine(level: LogRecordLevel, message: string): string {
        return `${level}|${message}`
      }
    }
    const logger = new Short()
    logger.error(`x access_token=${TOKEN}`)
    expect(logger.lines[0][1]).toBe('error|x access_token=***')
  })
})

describe('AbstractLogger', () => {
  it('routes the four methods to log()', () => {
    const records: [LogRecordLevel, string, LogContext | undefined][] = []
    class Forwarding extends AbstractLogger {
      isEnabled(level: LogLevel): boolean {
        return level !== 'silent'
      }
      log(level: LogRecordLevel, message: string, context?: LogContext): void {
        records.push([level, message, context])
      }
    }
    const logger: Logger = new Forwarding()
    logger.debug('d')
    logger.info('i', { a: 1 })
    logger.warn('w')
    logger.error('e')
    expect(records).toEqual([
      ['debug', 'd', undefined],
      ['info', 'i', { a: 1 }],
      ['warn', 'w', undefined],
      ['error', 'e', undefined],
    ])
  })
})

describe('NullLogger', () => {
  it('is never enabled and writes nothing', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    const logger = new NullLogger()
    for (const level of LOG_LEVELS) expect(logger.isEnabled(level)).toBe(false)
    logger.error('nothing', { a: 1 })
    logger.debug('nothing')
    expect(write).not.toHaveBeenCalled()
  })
})

describe('StreamLogger default stream', () => {
  it('uses process.stderr when it exists', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    const logger = new StreamLogger({ now: () => NOW })
    expect(logger.stream).toBe(process.stderr)
    logger.warn('to stderr')
    expect(write).toHaveBeenCalledWith('2026-05-14T10:26:32.123Z WARN  to stderr\n')
  })

  it('falls back to the console where there is no process (browsers)', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    vi.stubGlobal('process', undefined)
    try {
      const logger = new StreamLogger({ now: () => NOW })
      expect(logger.stream).toBeUndefined()
      logger.error('boom')
      logger.warn('careful')
    } finally {
      vi.unstubAllGlobals()
    }
    expect(error).toHaveBeenCalledWith('2026-05-14T10:26:32.123Z ERROR boom')
    expect(warn).toHaveBeenCalledWith('2026-05-14T10:26:32.123Z WARN  careful')
  })
})
