import type { Attributes, Meter, Span, SpanOptions, SpanStatus, Tracer } from '@opentelemetry/api'
import { describe, expect, it } from 'vitest'
import { otelHooks } from '../../src/otel/index.js'
import { usePortal, webhookClient } from './sdk-fixtures.js'

/** What a span recorded, as an exporter would see it. */
interface Recorded {
  name: string
  attributes: Attributes
  status?: SpanStatus
  ended: boolean
}

/** The smallest tracer that keeps its spans: the API's own interfaces, no SDK. */
function recordingTracer(): { tracer: Tracer; spans: Recorded[] } {
  const spans: Recorded[] = []
  const tracer = {
    startSpan(name: string, options?: SpanOptions): Span {
      const record: Recorded = { name, attributes: { ...options?.attributes }, ended: false }
      spans.push(record)
      const span = {
        setAttribute: (key: string, value: unknown) => {
          record.attributes[key] = value as Attributes[string]
          return span
        },
        setStatus: (status: SpanStatus) => {
          record.status = status
          return span
        },
        end: () => {
          record.ended = true
        },
      }
      return span as unknown as Span
    },
  }
  return { tracer: tracer as unknown as Tracer, spans }
}

function recordingMeter(): { meter: Meter; values: Array<[string, number, Attributes | undefined]> } {
  const values: Array<[string, number, Attributes | undefined]> = []
  const instrument = (name: string) => ({
    record: (value: number, attributes?: Attributes) => values.push([name, value, attributes]),
    add: (value: number, attributes?: Attributes) => values.push([name, value, attributes]),
  })
  return { meter: { createHistogram: instrument, createCounter: instrument } as unknown as Meter, values }
}

const portal = usePortal({ seed: { deals: 5 }, plan: 'off' })

describe('b24tssdk/otel', () => {
  it('makes one ended CLIENT span per attempt, marks the failed one, and records call durations and retries', async () => {
    const emu = portal.emu()
    const { tracer, spans } = recordingTracer()
    const { meter, values } = recordingMeter()
    const client = webhookClient(emu, {
      hooks: otelHooks(tracer, meter),
      defaultInitialRetryDelay: 0.01,
      defaultRetryDelayIncrement: 0.01,
    })
    emu.faults.inject({ method: 'crm.deal.get', kind: 'http503', times: 1 })
    await client.crm.deal.get({ id: 1 })

    expect(spans.map((span) => [span.name, span.attributes['bitrix24.attempt'], span.ended])).toEqual([
      ['bitrix24 crm.deal.get', 0, true],
      ['bitrix24 crm.deal.get', 1, true],
    ])
    expect(spans[0].attributes['http.response.status_code']).toBe(503)
    expect(spans[0].attributes['error.type']).toBe('QUERY_LIMIT_EXCEEDED')
    expect(spans[0].status?.code).toBe(2) // SpanStatusCode.ERROR
    expect(spans[1].attributes['http.response.status_code']).toBe(200)
    expect(spans[1].status).toBeUndefined()
    expect(spans[1].attributes['server.address']).toBe(new URL(emu.url).host)
    expect(values.filter(([name]) => name === 'bitrix24.call.retries')).toHaveLength(1)
    const durations = values.filter(([name]) => name === 'bitrix24.call.duration')
    expect(durations).toHaveLength(1)
    expect(durations[0][2]).toMatchObject({ 'rpc.method': 'crm.deal.get', outcome: 'ok' })
  })
})
