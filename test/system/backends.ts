// The two real backends the store suite runs against, each handing out an empty database per test
// and a raw connection for what the Store interface rightly does not offer (inspecting the schema,
// installing a failure).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite from 'better-sqlite3';
import pg from 'pg';

export interface TestBackend {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The URL of a database with nothing in it. */
  fresh(): Promise<string>;
  query(url: string, text: string): Promise<Record<string, unknown>[]>;
  tables(url: string): Promise<string[]>;
  /** Makes every insert of a resource with this name fail inside the database. */
  failInsertOf(url: string, name: string): Promise<void>;
}

export function sqliteBackend(): TestBackend {
  let dir = '';
  let n = 0;
  const withDb = <T>(url: string, work: (db: BetterSqlite.Database) => T): T => {
    const db = new BetterSqlite(url.slice('sqlite:'.length));
    try {
      return work(db);
    } finally {
      db.close();
    }
  };
  return {
    name: 'SQLite',
    async start() {
      dir = mkdtempSync(join(tmpdir(), 'envsync-store-'));
    },
    async stop() {
      rmSync(dir, { recursive: true, force: true });
    },
    async fresh() {
      n++;
      return `sqlite:${join(dir, `db-${n}`, 'envsync.sqlite')}`;
    },
    async query(url, text) {
      return withDb(url, (db) => db.prepare(text).all() as Record<string, unknown>[]);
    },
    async tables(url) {
      const rows = await this.query(url, "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'");
      return rows.map((row) => String(row.name)).sort();
    },
    async failInsertOf(url, name) {
      withDb(url, (db) =>
        db.exec(
          `create trigger fail_insert before insert on resources when new.name = '${name}'
           begin select raise(abort, 'injected failure'); end`,
        ),
      );
    },
  };
}

export function postgresBackend(): TestBackend {
  const admin = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = `envsync_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const url = new URL(admin);
  url.pathname = `/${database}`;
  const testUrl = url.toString();
  let pool: pg.Pool | undefined;

  const adminQuery = async (text: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  const raw = () => {
    if (pool === undefined) throw new Error('postgres test backend not started');
    return pool;
  };

  return {
    name: 'PostgreSQL',
    async start() {
      await adminQuery(`create database ${database}`);
      pool = new pg.Pool({ connectionString: testUrl, max: 2 });
      // Dropping the database (with force) at the end ends connections still closing: pg reports
      // that as an 'error' event, which without a listener would be an uncaught exception of the run.
      pool.on('error', () => undefined);
    },
    async stop() {
      await pool?.end();
      await adminQuery(`drop database if exists ${database} with (force)`);
    },
    async fresh() {
      // Dropping the schema empties the run's database, migration bookkeeping included, so every
      // test starts from a database the store has never seen.
      await raw().query('drop schema public cascade; create schema public; drop schema if exists graphile_worker cascade');
      return testUrl;
    },
    async query(_url, text) {
      return (await raw().query<Record<string, unknown>>(text)).rows;
    },
    async tables(_url) {
      const rows = await this.query(testUrl, "select tablename from pg_tables where schemaname = 'public'");
      return rows.map((row) => String(row.tablename)).sort();
    },
    async failInsertOf(_url, name) {
      await raw().query(`
        create function fail_insert() returns trigger language plpgsql as $$
          begin raise exception 'injected failure'; end $$;
        create trigger fail_insert before insert on resources
          for each row when (new.name = '${name}') execute function fail_insert();`);
    },
  };
}
