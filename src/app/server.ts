// The HTTP server of `envsync serve`. Ours rather than Probot's `run()`, for three things Probot's
// server does not let an app do: refuse a webhook body over GitHub's own 25 MB cap before it is read
// whole (Probot's middleware buffers any size), log one line per request without its headers or
// body (Probot's request logger writes every header, tokens included), and stop within a grace
// period instead of exiting at once on SIGINT.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeMiddleware, type Probot } from 'probot';
import { send } from './api.js';

/** GitHub caps webhook payloads at 25 MB. */
const WEBHOOK_BODY_LIMIT = 25 * 1024 * 1024;

export interface ServerOptions {
  port: number;
  host?: string;
  webhookPath: string;
  /** Larger webhook bodies get 413 before they are read. */
  bodyLimitBytes?: number;
}

type AppFn = Parameters<typeof createNodeMiddleware>[0];

export interface RunningServer {
  url: string;
  /** Stops accepting connections and closes idle ones; requests in flight finish. */
  close(): Promise<void>;
}


/**
 * Reads a webhook body into `req.body` (where Probot's middleware takes it from), or answers 413 and
 * drops the connection as soon as it is known to be over the limit: from Content-Length, or while
 * a chunked body arrives. Returns false when it answered.
 */
async function readWebhookBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<boolean> {
  const declared = Number(req.headers['content-length']);
  const tooLarge = () => {
    send(res, 413, { error: `webhook body over ${limit} bytes (GitHub's own limit): not read` });
    // The rest is let through and dropped, not kept: closing on a client still sending would reset
    // the connection, and the client could lose the answer. A client that never stops is cut off
    // by the server's request timeout.
    req.removeAllListeners('data');
    req.resume();
    return false;
  };
  if (Number.isFinite(declared) && declared > limit) return tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise<boolean>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      chunks.length = 0;
      req.off('end', onEnd);
      resolve(tooLarge());
    };
    const onEnd = () => {
      (req as IncomingMessage & { body?: string }).body = Buffer.concat(chunks).toString('utf8');
      resolve(true);
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}

function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://server.invalid').pathname;
  } catch {
    return '/';
  }
}

export async function startServer(probot: Probot, appFn: AppFn, options: ServerOptions): Promise<RunningServer> {
  const log = probot.log.child({ name: 'http' });
  const limit = options.bodyLimitBytes ?? WEBHOOK_BODY_LIMIT;
  const middleware = await createNodeMiddleware(appFn, { probot, webhooksPath: options.webhookPath });
  const server = createServer((req, res) => {
    const started = performance.now();
    // As the routers will read it (`/console/../api/github/webhooks` is the webhooks' path): the
    // body limit below is decided on the path a request reaches, not on how it was spelt.
    const path = pathOf(req.url);
    res.on('finish', () => log.info({ method: req.method, path, status: res.statusCode, ms: Math.round(performance.now() - started) }, `${req.method} ${path} ${res.statusCode}`));
    void (async () => {
      // Every POST but the system API's and the console's (which have their own, smaller limits) is
      // read here, bounded: Probot's middleware matches paths more loosely (a trailing slash) and would read any size.
      if (req.method === 'POST' && !path.startsWith('/api/v1') && !path.startsWith('/console/') && !(await readWebhookBody(req, res, limit))) return;
      const handled = await middleware(req, res);
      if (!handled && !res.headersSent) send(res, 404, { error: `no route ${req.method} ${path}` });
    })().catch((e: unknown) => {
      log.error({ err: e, method: req.method, path }, 'request failed');
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  // A slow client cannot hold a connection forever; webhooks and API calls are small.
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  log.info(`Listening on ${url}`);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
