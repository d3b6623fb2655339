/**
 * A table of rows whose seeded part is never materialised: rows 1..seedCount are computed field by field from
 * their ID by a deterministic generator, and only changes are stored (full copies of changed rows, new rows with
 * IDs after the seed range, and a set of deleted IDs). One million seeded rows cost nothing until read.
 */

export type Row = Record<string, unknown>

/** Computes the value of one field of a seeded row. Must be pure. */
export type SeedGenerator = (id: number, field: string) => unknown

export class Table {
  /** Rows changed after seeding (full copies) and rows added later. */
  private readonly stored = new Map<number, Row>()
  /** Deleted IDs (seeded or added). */
  private readonly deleted = new Set<number>()
  /** IDs of added rows in ascending order (may include deleted ones; check `deleted`). */
  private readonly added: number[] = []
  private deletedSeeded = 0
  private nextId: number

  constructor(
    readonly seedCount: number,
    private readonly generate: SeedGenerator,
    /** Canonical field names, used to materialise a seeded row before changing it. */
    readonly fields: readonly string[],
  ) {
    this.nextId = seedCount + 1
  }

  /** Number of live rows. */
  get size(): number {
    return this.seedCount - this.deletedSeeded + this.added.length - (this.deleted.size - this.deletedSeeded)
  }

  /** Highest ID ever assigned. */
  get maxId(): number {
    return this.nextId - 1
  }

  has(id: number): boolean {
    if (!Number.isInteger(id) || id < 1 || this.deleted.has(id)) return false
    return id <= this.seedCount || this.stored.has(id)
  }

  /** One field of a live row (no existence check; callers iterate live IDs). */
  value(id: number, field: string): unknown {
    if (this.stored.size > 0) {
      const row = this.stored.get(id)
      if (row !== undefined) return row[field]
    }
    return this.generate(id, field)
  }

  /** A full copy of a row, or `undefined` if it does not exist. */
  row(id: number): Row | undefined {
    if (!this.has(id)) return undefined
    const row = this.stored.get(id)
    if (row !== undefined) return { ...row }
    const out: Row = {}
    for (const field of this.fields) out[field] = this.generate(id, field)
    return out
  }

  /** Adds a row and returns its new ID (written into `row.ID`). */
  insert(row: Row, idField = 'ID'): number {
    const id = this.nextId++
    this.stored.set(id, { ...row, [idField]: id })
    this.added.push(id)
    return id
  }

  /** Merges `patch` into a live row. Returns false if the row does not exist. */
  update(id: number, patch: Row): boolean {
    const current = this.row(id)
    if (current === undefined) return false
    this.stored.set(id, Object.assign(current, patch))
    return true
  }

  delete(id: number): boolean {
    if (!this.has(id)) return false
    this.deleted.add(id)
    this.stored.delete(id)
    if (id <= this.seedCount) this.deletedSeeded++
    return true
  }

  /** Number of live rows with IDs in [lo, hi]. O(changes), not O(rows). */
  countRange(lo: number, hi: number): number {
    lo = Math.max(1, Math.ceil(lo))
    hi = Math.min(this.maxId, Math.floor(hi))
    if (hi < lo) return 0
    let count = Math.max(0, Math.min(hi, this.seedCount) - lo + 1)
    for (const id of this.deleted) if (id <= this.seedCount && id >= lo && id <= hi) count--
    for (const id of this.added) if (id >= lo && id <= hi && !this.deleted.has(id)) count++
    return count
  }

  /**
   * Calls `fn` for each live ID in [lo, hi] in ascending (or descending) order until it returns `false`.
   * Cost is proportional to the IDs visited, so a keyset page (`>ID` + limit) touches only ~limit IDs.
   */
  forEachId(lo: number, hi: number, descending: boolean, fn: (id: number) => boolean | undefined): void {
    lo = Math.max(1, Math.ceil(lo))
    hi = Math.min(this.maxId, Math.floor(hi))
    if (hi < lo) return
    const deleted = this.deleted
    const checkDeleted = deleted.size > 0
    const seedHi = Math.min(hi, this.seedCount)
    if (!descending) {
      for (let id = lo; id <= seedHi; id++) {
        if (checkDeleted && deleted.has(id)) continue
        if (fn(id) === false) return
      }
      for (const id of this.added) {
        if (id < lo || id > hi || deleted.has(id)) continue
        if (fn(id) === false) return
      }
    } else {
      for (let i = this.added.length - 1; i >= 0; i--) {
        const id = this.added[i]
        if (id < lo || id > hi || deleted.has(id)) continue
        if (fn(id) === false) return
      }
      for (let id = seedHi; id >= lo; id--) {
        if (checkDeleted && deleted.has(id)) continue
        if (fn(id) === false) return
      }
    }
  }
}
