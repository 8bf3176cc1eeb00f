// What operators ask the server: is it alive (/healthz), may it take traffic (/readyz: the store
// answers, its migrations ran, and it is not stopping), and how is it doing (/metrics, Prometheus).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { send } from './api.js';
import type { Records } from '../system/records.js';
import type { Metrics } from './metrics.js';

/** `log` gets the store's errors: the answers do not carry them (they name hosts and users to anyone asking). */
export function operationsHandler(records: Records, metrics: Metrics, stopping: () => boolean, log: (error: unknown, message: string) => void) {
  const json = (res: ServerResponse, status: number, body: object) => send(res, status, body, { 'cache-control': 'no-store' });
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
        await records.ping();
        json(res, 200, { status: 'ready' });
      } catch (e) {
        log(e, 'not ready: the store does not answer');
        json(res, 503, { status: 'the store does not answer: see the server log' });
      }
      return true;
    }
    if (path === '/metrics') {
      try {
        const text = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      } catch (e) {
        log(e, 'metrics unavailable');
        json(res, 503, { error: 'metrics unavailable: see the server log' });
      }
      return true;
    }
    return false;
  };
}
