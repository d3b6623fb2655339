/**
 * Where rows go and how they are written: a sink over stdout or a file that waits for the stream to drain, and
 * the NDJSON and CSV encodings. CSV takes its header from the keys of the first page; nested values are JSON text.
 */
import { createWriteStream } from 'node:fs'
import type { Writable } from 'node:stream'
import { CliUsageError } from './errors.js'

export type RowFormat = 'ndjson' | 'csv'

/** Thrown by `write` once the reader went away (`b24tssdk list … | head`): the command stops quietly. */
export class OutputClosed extends Error {
  override readonly name = 'OutputClosed'
}

/** A text sink with backpressure. */
export interface Sink {
  write(text: string): Promise<void>
  /** Flushes and closes (a file); leaves stdout open. */
  close(): Promise<void>
}

/** A sink over a stream the command does not own (stdout): never closed, a broken pipe ends the output. */
export function streamSink(stream: Writable, ownsStream = false): Sink {
  let failure: Error | undefined
  stream.on('error', (error: NodeJS.ErrnoException) => {
    failure =
      error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED' ? new OutputClosed('output closed') : error
  })
  return {
    async write(text) {
      if (failure) throw failure
      if (stream.write(text)) return
      await new Promise<void>((resolve) => {
        const done = () => {
          stream.off('drain', done)
          stream.off('error', done)
          stream.off('close', done)
          resolve()
        }
        stream.on('drain', done)
        stream.on('error', done)
        stream.on('close', done)
      })
      if (failure) throw failure
    },
    async close() {
      if (!ownsStream) return
      await new Promise<void>((resolve, reject) => {
        stream.end((error?: Error | null) => (error ? reject(error) : resolve()))
      })
      if (failure) throw failure
    },
  }
}

/** A sink writing a new file (replacing one that exists); the file is complete once `close` resolves. */
export async function fileSink(path: string): Promise<Sink> {
  const stream = createWriteStream(path)
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve())
      stream.once('error', reject)
    })
  } catch (error) {
    throw new CliUsageError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  return streamSink(stream, true)
}

/** One CSV cell (RFC 4180 quoting): nested values as JSON text, null and missing as empty. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** One CSV line of `columns` read from `row`. */
export function csvLine(columns: readonly string[], row: unknown): string {
  const record = typeof row === 'object' && row !== null ? (row as Record<string, unknown>) : {}
  return `${columns.map((column) => csvCell(record[column])).join(',')}\n`
}

/** The union of the rows' keys, in order of first appearance. */
export function csvColumns(rows: readonly unknown[]): string[] {
  const columns = new Set<string>()
  for (const row of rows) {
    if (typeof row === 'object' && row !== null) for (const key of Object.keys(row)) columns.add(key)
  }
  return [...columns]
}

/** Rows of the first page fix the CSV header; NDJSON needs no header. */
export const HEADER_ROWS = 50

/** Encodes rows one by one; CSV holds back the first `HEADER_ROWS` rows to learn the header. */
export class RowWriter {
  readonly #sink: Sink
  readonly #format: RowFormat
  #pending: unknown[] | undefined
  #columns: string[] | undefined

  constructor(sink: Sink, format: RowFormat) {
    this.#sink = sink
    this.#format = format
    this.#pending = format === 'csv' ? [] : undefined
  }

  async write(row: unknown): Promise<void> {
    if (this.#format === 'ndjson') return this.#sink.write(`${JSON.stringify(row)}\n`)
    if (this.#pending) {
      this.#pending.push(row)
      if (this.#pending.length >= HEADER_ROWS) await this.#flushHeader()
      return
    }
    await this.#sink.write(csvLine(this.#columns ?? [], row))
  }

  /** Writes what is held back; call once after the last row. */
  async end(): Promise<void> {
    if (this.#pending) await this.#flushHeader()
    await this.#sink.close()
  }

  async #flushHeader(): Promise<void> {
    const rows = this.#pending ?? []
    this.#pending = undefined
    const columns = csvColumns(rows)
    this.#columns = columns
    if (columns.length === 0) return
    await this.#sink.write(`${columns.map(csvCell).join(',')}\n${rows.map((row) => csvLine(columns, row)).join('')}`)
  }
}
