// The end of every app test: no queued job failed, and the app stops.
import { expect } from 'vitest';
import type { createEnvsyncApp } from '../../src/app/index.js';
import type { Store } from '../../src/system/store.js';

export async function stopAppCleanly(app: ReturnType<typeof createEnvsyncApp>, store: Store): Promise<void> {
  expect(app.running()?.failures.map((f) => String(f.error))).toEqual([]);
  await app.running()?.stop();
  await store.close();
}
