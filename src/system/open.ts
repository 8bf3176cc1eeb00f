// The system, opened: the store of `options` behind the service that validates every spec written
// to it. Above this folder nothing holds the store itself.
import { SystemService } from './service.js';
import { openStore, type StoreOptions } from './store.js';

export async function openSystem(options: StoreOptions = {}): Promise<SystemService> {
  return new SystemService(await openStore(options));
}
