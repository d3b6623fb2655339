/**
 * `b24tssdk/otel`: OpenTelemetry spans and metrics for every Bitrix24 call, from the client's hooks: one CLIENT span per attempt
 * (so a retried call shows each try), a duration histogram per call, a retry counter and the limiter's waits. Only `@opentelemetry/api` is imported; the
 * SDK, exporter and sampler are the application's own. `@opentelemetry/api` is an optional peer dependency: install
 * it to use this entry. The hooks never see parameters or secrets, so neither do the spans.
 * @packageDocumentation
 */
import { type Meter, metrics, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api'
import type { ClientHooks } from '../client/hooks.js'

/**
 * Client hooks that trace and measure every call with OpenTelemetry: a CLIENT span `bitrix24 <method>` per attempt
 * (`rpc.system`, `rpc.method`, `server.address`, `http.response.status_code`, `error.type`, `bitrix24.attempt`,
 * `bitrix24.operating`), and the metrics `bitrix24.call.duration` (ms, per call), `bitrix24.call.retries` and
 * `bitrix24.limiter.wait` (ms). Default tracer and meter: the global providers' `b24tssdk` ones.
 * @example
 * import { otelHooks } from 'b24tssdk/otel'
 * const client = new Client(webhook, { hooks: otelHooks() })
 */
export function otelHooks(
  tracer: Tracer = trace.getTracer('b24tssdk'),
  meter: Meter = metrics.getMeter('b24tssdk'),
): ClientHooks {
  const spans = new Map<string, Span>()
  const duration = meter.createHistogram('bitrix24.call.duration', { unit: 'ms', description: 'Bitrix24 REST call' })
  const limiterWait = meter.createHistogram('bitrix24.limiter.wait', { unit: 'ms' })
  const retries = meter.createCounter('bitrix24.call.retries')
  return {
    onRequest(info) {
      const span = tracer.startSpan(`bitrix24 ${info.method}`, {
        kind: SpanKind.CLIENT,
        attributes: {
          'rpc.system': 'bitrix24',
          'rpc.method': info.method,
          'server.address': info.host,
          'bitrix24.api_version': info.apiVersion,
          'bitrix24.attempt': info.attempt,
        },
      })
      spans.set(`${info.callId}:${info.attempt}`, span)
    },
    onResponse(info) {
      const key = `${info.callId}:${info.attempt}`
      const span = spans.get(key)
      if (!span) return
      spans.delete(key)
      if (info.status !== undefined) span.setAttribute('http.response.status_code', info.status)
      if (info.time?.operating !== undefined) span.setAttribute('bitrix24.operating', info.time.operating)
      if (info.outcome === 'error') {
        span.setAttribute('error.type', info.errorCode ?? info.errorName ?? 'error')
        span.setStatus({ code: SpanStatusCode.ERROR, message: info.errorCode ?? info.errorName })
      }
      span.end()
    },
    onRetry(info) {
      retries.add(1, { 'rpc.method': info.method, reason: info.reason })
    },
    onLimiterWait(info) {
      if (info.waitedMs > 0) limiterWait.record(info.waitedMs, { 'rpc.method': info.method })
    },
    onCallEnd(info) {
      duration.record(info.durationMs, {
        'rpc.method': info.method,
        outcome: info.outcome,
        ...(info.errorCode ? { 'error.type': info.errorCode } : {}),
      })
    },
  }
}
