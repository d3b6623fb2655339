/**
 * An `InstallationStore` in SQLite, for apps that run on one host. Pass an open better-sqlite3 `Database`
 * (an optional peer: this module imports none, it only calls `exec` and `prepare`). One row per portal in
 * `b24tssdk_installations` (created when missing): the `member_id`, the domain and the record as JSON.
 */
import { checkInstallation, type Installation, type InstallationStore } from './installation.js'

/** The part of better-sqlite3's `Database` this store uses. */
/** The part of a better-sqlite3 `Database` the SQLite store uses (any object of this shape works). */
export interface SqliteDatabase {
  /** Runs SQL with no result (the table's creation). */
  exec(sql: string): unknown
  /** A statement with `?` parameters. */
  prepare(sql: string): {
    /** The first row the statement yields, or undefined. */
    get(...params: unknown[]): unknown
    /** Runs the statement for its effect. */
    run(...params: unknown[]): unknown
  }
}

const TABLE = 'b24tssdk_installations'

/** An `InstallationStore` in one SQLite table (`b24tssdk_installations`), through better-sqlite3 or the like. */
export class SqliteInstallationStore implements InstallationStore {
  readonly #db: SqliteDatabase

  constructor(db: SqliteDatabase) {
    if (typeof db?.exec !== 'function' || typeof db.prepare !== 'function') {
      throw new TypeError('SqliteInstallationStore needs an open better-sqlite3 Database')
    }
    this.#db = db
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${TABLE} (member_id TEXT PRIMARY KEY, domain TEXT NOT NULL, record TEXT NOT NULL, updated_at INTEGER NOT NULL)`,
    )
  }

  async get(memberId: string): Promise<Installation | undefined> {
    const row = this.#db.prepare(`SELECT record FROM ${TABLE} WHERE member_id = ?`).get(memberId) as
      | { record: string }
      | undefined
    return row === undefined ? undefined : checkInstallation(JSON.parse(row.record) as Installation)
  }

  async save(installation: Installation): Promise<void> {
    const { memberId, domain } = checkInstallation(installation)
    this.#db
      .prepare(
        `INSERT INTO ${TABLE} (member_id, domain, record, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(member_id) DO UPDATE SET domain = excluded.domain, record = excluded.record, updated_at = excluded.updated_at`,
      )
      .run(memberId, domain, JSON.stringify(installation), Date.now())
  }

  async delete(memberId: string): Promise<void> {
    this.#db.prepare(`DELETE FROM ${TABLE} WHERE member_id = ?`).run(memberId)
  }
}
