// Every integration test owns its database: a fresh in-memory PGlite, and, when DATABASE_URL names
// a PostgreSQL server, a fresh database created on it and dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseOptions } from '../../common/db/database.ts';

export interface DatabaseTarget {
  name: 'pglite' | 'postgresql';
  /** Options for a brand-new empty database; `dispose` removes it. */
  create(): Promise<{ options: DatabaseOptions; dispose(): Promise<void> }>;
}

export const pgliteTarget: DatabaseTarget = {
  name: 'pglite',
  async create() {
    return { options: { kind: 'pglite' }, dispose: async () => undefined };
  },
};

export function postgresTarget(serverUrl: string): DatabaseTarget {
  return {
    name: 'postgresql',
    async create() {
      const name = `aethex_test_${randomBytes(6).toString('hex')}`;
      await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      return {
        options: { kind: 'postgresql', url: url.toString() },
        dispose: () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      };
    },
  };
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** PGlite always; PostgreSQL too when DATABASE_URL is set (as .ci/run does). */
export function databaseTargets(): DatabaseTarget[] {
  const url = process.env.DATABASE_URL;
  return url ? [pgliteTarget, postgresTarget(url)] : [pgliteTarget];
}
