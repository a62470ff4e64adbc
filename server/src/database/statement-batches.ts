import { createPool, type Pool, type PoolConnection } from 'mysql2/promise';

/** One statement of a batch: fixed SQL text with `?` placeholders, and its values. */
export interface Statement {
  sql: string;
  params?: readonly unknown[];
}

/**
 * A small MySQL pool of its own whose connections take several statements in one round trip (mysql2's
 * `multipleStatements`), for a hot path whose cost is round trips made while it holds a row lock: the flash-claim
 * flush sends BEGIN with its lock, and its INSERT, stock UPDATE and COMMIT together (ClaimFlush). A batch stops
 * at its first failing statement, so a COMMIT sent after a failed write never runs.
 *
 * Its own pool, not an option on TypeORM's: a connection that accepts stacked statements turns any SQL built
 * from input into an injection, so only callers that send fixed SQL text with placeholders (values escaped by
 * mysql2, as everywhere) get one, and the rest of the server keeps the option off.
 */
export class StatementBatches {
  private readonly pool: Pool;

  constructor(url: string, connections: number) {
    // The same session settings as TypeORM's pool (data-source.ts): times in UTC, utf8mb4.
    this.pool = createPool({
      uri: url,
      timezone: 'Z',
      charset: 'utf8mb4_unicode_ci',
      multipleStatements: true,
      connectionLimit: connections,
      waitForConnections: true,
      // No stack captured per query for the error it might throw: at a flash claim's rate of flushes that capture
      // (Error.captureStackTrace through deep async frames) was about 6 % of the server's CPU. Errors keep their
      // message and MySQL code, which is what the flush's retry and the logs read.
      trace: false,
    });
  }

  /**
   * Runs `work` on one connection in one transaction that `work` opens and ends with its own batches
   * (`START TRANSACTION` first, `COMMIT` last). What `work` leaves open (it threw, or answered without a COMMIT:
   * nothing to write) is rolled back, so no transaction and none of its locks go back to the pool with the
   * connection; a connection whose rollback fails is dropped.
   */
  async transaction<T>(work: (connection: BatchConnection) => Promise<T>): Promise<T> {
    const raw = await this.pool.getConnection();
    const connection = new BatchConnection(raw);
    let result: T;
    try {
      result = await work(connection);
    } catch (error) {
      await this.rollBack(raw);
      throw error;
    }
    if (connection.inTransaction) await this.rollBack(raw);
    else raw.release();
    return result;
  }

  private async rollBack(raw: PoolConnection): Promise<void> {
    await raw.query('ROLLBACK').then(
      () => raw.release(),
      () => raw.destroy(),
    );
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

export class BatchConnection {
  /** Between a batch that began a transaction and the batch whose COMMIT succeeded. */
  inTransaction = false;

  constructor(private readonly raw: PoolConnection) {}

  /**
   * Sends `statements` in one packet and answers each one's result in order: the rows of a read, the header of a
   * write (`affectedRows`). Throws at the first failing statement; the ones after it did not run.
   */
  async send(statements: readonly Statement[]): Promise<unknown[]> {
    const sql = statements.map((statement) => statement.sql).join(';\n');
    const params = statements.flatMap((statement) => statement.params ?? []);
    if (statements.some((statement) => /^\s*(START TRANSACTION|BEGIN)\b/i.test(statement.sql))) this.inTransaction = true;
    const [results] = await this.raw.query(sql, params);
    // Only now: a batch that failed stopped before its COMMIT.
    if (/^\s*COMMIT\b/i.test(statements[statements.length - 1]?.sql ?? '')) this.inTransaction = false;
    // mysql2 answers one statement's result alone, several as an array of results.
    return statements.length === 1 ? [results] : (results as unknown[]);
  }
}
