// What operators ask the server: is it alive (/healthz), may it take traffic (/readyz: the store
// answers, its migrations ran, and it is not stopping), and how is it doing (/metrics, Prometheus).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Store } from '../system/store.js';
import type { Metrics } from './metrics.js';

export function operationsHandler(store: Store, metrics: Metrics, stopping: () => boolean) {
  const json = (res: ServerResponse, status: number, body: object) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (path === '/healthz') {
      json(res, 200, { status: 'alive' });
      return true;
    }
    if (path === '/readyz') {
      if (stopping()) {
        json(res, 503, { status: 'stopping' });
        return true;
      }
      try {
        // The store is opened (and migrated) before the server listens: answering is enough.
        await store.ping();
        json(res, 200, { status: 'ready' });
      } catch (e) {
        json(res, 503, { status: 'the store does not answer', error: (e as Error).message });
      }
      return true;
    }
    if (path === '/metrics') {
      try {
        const text = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      } catch (e) {
        json(res, 503, { error: `metrics unavailable: ${(e as Error).message}` });
      }
      return true;
    }
    return false;
  };
}
