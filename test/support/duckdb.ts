// DuckDB as the tests' independent oracle: the same query on the same file, computed by a trusted engine.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** A fresh in-memory DuckDB connection for one test file (mocha before/after). */
export function useDuckDb(): () => DuckDBConnection {
  let connection: DuckDBConnection | undefined;
  let instance: DuckDBInstance | undefined;
  before(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
  });
  after(() => {
    connection?.closeSync();
    instance?.closeSync();
  });
  return () => {
    if (!connection) throw new Error('useDuckDb: the connection exists only inside tests');
    return connection;
  };
}

/** The rows of a query as plain objects. */
export async function duckRows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjects() as Record<string, unknown>[];
}
