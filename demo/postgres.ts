// A new, empty PostgreSQL database on the machine's server (DATABASE_URL names the server to use,
// else 127.0.0.1:5432), for an end-to-end test or a benchmark that needs one of its own.
import pg from 'pg';

const admin = () => process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: admin() });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Creates the database; `drop` removes it, connections and all. */
export async function newDatabase(prefix = 'envsync'): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(admin());
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(`drop database if exists ${name} with (force)`) };
}
