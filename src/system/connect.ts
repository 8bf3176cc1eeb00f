// Turns a store URL into a Kysely instance for the right backend.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import BetterSqlite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Backend } from './migrations.js';
import type { Database } from './schema.js';

export interface Connection {
  db: Kysely<Database>;
  backend: Backend;
  /** PostgreSQL's pool, which the job queue shares. */
  pool?: pg.Pool;
}

const DEFAULT_FILE = 'envsync.sqlite';
const POSTGRES = /^postgres(ql)?:\/\//i;
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

export function connect(options: { url?: string; dataDir?: string }): Connection {
  const url = options.url?.trim();
  if (url === undefined || url === '') return sqlite(join(options.dataDir ?? './data', DEFAULT_FILE));
  if (POSTGRES.test(url)) return postgres(url);
  if (url === ':memory:') return sqlite(url);
  if (/^sqlite:/i.test(url)) {
    const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path === '') throw new Error('store URL "sqlite:" names no file: use sqlite:PATH or sqlite::memory:');
    return sqlite(path);
  }
  const scheme = SCHEME.exec(url)?.[1];
  // A one-letter "scheme" is a Windows drive, i.e. a plain path.
  if (scheme !== undefined && scheme.length > 1) {
    // Only the scheme is echoed: the rest of a URL may hold a password.
    throw new Error(`unsupported store URL scheme "${scheme}:": use sqlite:PATH, :memory: or postgres://…`);
  }
  return sqlite(url);
}

function sqlite(path: string): Connection {
  const memory = path === ':memory:';
  if (!memory) mkdirSync(dirname(resolve(path)), { recursive: true });
  const database = new BetterSqlite(path);
  // WAL lets the CLI read while the app writes; the timeout makes another process's write wait
  // instead of failing at once.
  if (!memory) database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  // SqliteDialect drives one connection behind a mutex, so transactions of this process never
  // interleave: that, not a lock statement, is what serializes writers here.
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database }) }), backend: 'sqlite' };
}

function postgres(url: string): Connection {
  // A connection that cannot be had within 5 s is an error, not a wait: a webhook must be answered
  // (or fail, so that GitHub shows it failed) well within GitHub's 10 s.
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
  // pg emits 'error' when an idle pooled connection dies (server restart, network); without a
  // listener that would crash the process. The pool drops the connection and opens a new one on
  // the next query, whose own error is reported to its caller.
  pool.on('error', () => undefined);
  // The same for a client checked out of the pool (graphile-worker holds one to LISTEN).
  pool.on('connect', (client) => client.on('error', () => undefined));
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), backend: 'postgres', pool };
}
