// The system API, REST under /api/v1: read and change specs, launch environments, trigger and read
// runs, read sync events. A plain Node request handler, so that the app server can mount it and
// `envsync system serve` can run it alone. Every answer is JSON; secrets are masked in every spec.
// A spec's ETag is its version: a write sent with If-Match is refused (412) when the spec moved.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseSpecFile } from '../specs/parse.js';
import { locateFindings } from '../specs/locate.js';
import { isPlainObject } from '../specs/json.js';
import { etagOf, PreconditionFailed, SystemError, type Precondition, type SystemService } from '../system/service.js';
import type { ResourceKey, RunAction, StoredResource } from '../system/records.js';
import { approveManualRun, startManualRun } from '../flows/runs/manual-run.js';
import { readCapped } from '../http-body.js';

export type Access = 'read' | 'write';

/** A bearer token: only its SHA-256 is configured, so the configuration holds no usable secret. */
export interface ApiToken {
  name: string;
  sha256: string;
  /** Project name (or `*`) to access. */
  projects: Record<string, Access>;
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * The tokens file (ENVSYNC_API_TOKENS_FILE, `--tokens`), checked when it is read: an entry without
 * its hash would otherwise fail every request with a 500, long after the start.
 */
export function readApiTokens(file: string): ApiToken[] {
  const shape = 'a JSON list of {"name", "sha256", "projects": {"PROJECT": "read"|"write"}} (envsync system token prints entries)';
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read the API tokens file ${file}: ${(e as Error).message}; it must be ${shape}`);
  }
  if (!Array.isArray(data)) throw new Error(`the API tokens file ${file} must be ${shape}`);
  data.forEach((entry: Partial<ApiToken> | null, i) => {
    const projects = entry?.projects;
    const fine =
      typeof entry?.name === 'string' &&
      typeof entry.sha256 === 'string' &&
      /^[0-9a-f]{64}$/.test(entry.sha256) &&
      isPlainObject(projects) &&
      Object.values(projects).every((a) => a === 'read' || a === 'write');
    if (!fine) throw new Error(`the API tokens file ${file}, entry ${i + 1}: each entry must be {"name", "sha256" (64 hex digits), "projects": {"PROJECT": "read"|"write"}}, as envsync system token prints it`);
  });
  return data as ApiToken[];
}

const MAX_BODY = 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The bearer value of a request's Authorization header, if it has one. */
export const bearerOf = (req: IncomingMessage): string | undefined => /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];

function authenticate(req: IncomingMessage, tokens: readonly ApiToken[]): ApiToken {
  const bearer = bearerOf(req);
  if (!bearer) throw new HttpError(401, 'missing bearer token: send Authorization: Bearer <token>');
  const presented = Buffer.from(hashToken(bearer), 'hex');
  const token = tokens.find((t) => {
    const expected = Buffer.from(t.sha256, 'hex');
    return expected.length === presented.length && timingSafeEqual(expected, presented);
  });
  if (!token) throw new HttpError(401, 'unknown token');
  return token;
}

function allowed(token: ApiToken, project: string, need: Access): boolean {
  const access = token.projects[project] ?? token.projects['*'];
  return access === 'write' || (access === 'read' && need === 'read');
}

function requireAccess(token: ApiToken, project: string, need: Access): void {
  if (!allowed(token, project, need)) {
    // A token that may not read a project learns nothing about it, not even that it exists.
    throw allowed(token, project, 'read') ? new HttpError(403, `token "${token.name}" may read but not change project ${project}`) : new HttpError(404, 'not found');
  }
}

async function readBody(req: IncomingMessage): Promise<{ data: Record<string, unknown>; text: string }> {
  const bytes = await readCapped(req, MAX_BODY);
  if (!bytes) throw new HttpError(413, `request body over ${MAX_BODY} bytes`);
  // JSON is YAML: one parser, with the guards files get (alias bombs, depth, encoding).
  const parsed = parseSpecFile('request', bytes, bytes.length);
  if (!parsed.ok) {
    const findings = locateFindings(parsed.findings, () => parsed.text);
    throw new HttpError(400, `the body does not parse: ${findings[0]?.message ?? 'not a JSON or YAML object'}`, { findings });
  }
  if (!isPlainObject(parsed.data)) throw new HttpError(400, 'the body must be a JSON (or YAML) object');
  return { data: parsed.data, text: parsed.text };
}

/**
 * The entity tags of an If-Match or If-None-Match header: `*`, or those listed. Weak ones are
 * dropped: a precondition on a write compares strongly (RFC 9110), so they never match.
 */
function entityTags(req: IncomingMessage, name: 'if-match' | 'if-none-match'): readonly string[] | '*' | undefined {
  const header = req.headers[name];
  if (header === undefined) return undefined;
  if (header.trim() === '*') return '*';
  const tags = header.match(/(W\/)?"[^"]*"/g);
  if (!tags) throw new HttpError(400, `${name} takes ETags as GET answers them, quotes included (${name}: "12"), or *`);
  return tags.filter((tag) => !tag.startsWith('W/'));
}

/** A write's precondition from its request: which version the client read (If-Match), or that it creates (If-None-Match: *). */
function preconditionOf(req: IncomingMessage, method: 'PUT' | 'DELETE'): Precondition {
  const ifMatch = entityTags(req, 'if-match');
  const ifNoneMatch = method === 'PUT' ? entityTags(req, 'if-none-match') : undefined;
  if (ifNoneMatch !== undefined && ifNoneMatch !== '*') throw new HttpError(400, 'if-none-match on PUT takes only * (create, never replace); to replace a version you read, send If-Match with its ETag');
  return { ...(ifMatch !== undefined ? { ifMatch } : {}), ...(ifNoneMatch !== undefined ? { ifNoneMatch } : {}) };
}

/** A JSON answer (every answer of the API, and of the server's own endpoints). */
export const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(body === undefined ? undefined : JSON.stringify(body));
};

export function createApiHandler(service: SystemService, tokens: readonly ApiToken[], log: (error: unknown) => void = () => {}) {
  const shown = (resource: StoredResource) => service.masked(resource);

  /** A Project's project is its own name: access is decided on that, whatever the URL says. */
  const projectOf = (kind: string, project: string, name: string) => {
    if (kind === 'Project' && project !== name) throw new HttpError(400, `a Project is addressed as /resources/Project/${name}/${name}`);
    return project;
  };

  const keyFrom = (kind: string, project: string, name: string, url: URL): ResourceKey => {
    const version = url.searchParams.get('version');
    return { kind, project, name, ...(version ? { version } : {}) };
  };

  type Answer = [status: number, body?: unknown, headers?: Record<string, string>];
  type Route = [method: string, pattern: RegExp, handler: (token: ApiToken, params: string[], req: IncomingMessage, url: URL) => Promise<Answer>];
  const routes: Route[] = [
    [
      'GET',
      /^\/api\/v1\/resources$/,
      async (token, _p, _req, url) => {
        const project = url.searchParams.get('project') ?? undefined;
        const kind = url.searchParams.get('kind') ?? undefined;
        const list = (await service.list({ ...(project ? { project } : {}), ...(kind ? { kind } : {}) })).filter((r) => allowed(token, r.project, 'read'));
        return [200, { resources: await service.maskedAll(list) }];
      },
    ],
    [
      'GET',
      /^\/api\/v1\/resources\/([^/]+)\/([^/]+)\/([^/]+)$/,
      async (token, [kind, project, name], _req, url) => {
        requireAccess(token, projectOf(kind!, project!, name!), 'read');
        const resource = await service.get(keyFrom(kind!, project!, name!, url));
        return [200, await shown(resource), { etag: etagOf(resource) }];
      },
    ],
    [
      'PUT',
      /^\/api\/v1\/resources\/([^/]+)\/([^/]+)\/([^/]+)$/,
      async (token, [kind, project, name], req) => {
        requireAccess(token, projectOf(kind!, project!, name!), 'write');
        const { data, text } = await readBody(req);
        const metadata = (data.metadata ?? {}) as Record<string, unknown>;
        const claimed = kind === 'Project' ? metadata.name === name : metadata.project === project && metadata.name === name;
        if (data.kind !== kind || !claimed) throw new HttpError(400, `the body must be the ${kind} ${project}/${name} of the URL (kind, metadata.project, metadata.name)`);
        const { outcome, etag } = await service.put(data, { trigger: 'internal', actor: token.name }, text, preconditionOf(req, 'PUT'));
        // The new version's ETag: a client that edits again sends it without reading first.
        return [outcome === 'created' ? 201 : 200, { outcome }, { etag }];
      },
    ],
    [
      'DELETE',
      /^\/api\/v1\/resources\/([^/]+)\/([^/]+)\/([^/]+)$/,
      async (token, [kind, project, name], req, url) => {
        requireAccess(token, projectOf(kind!, project!, name!), 'write');
        await service.delete(keyFrom(kind!, project!, name!, url), { trigger: 'internal', actor: token.name }, preconditionOf(req, 'DELETE'));
        return [204];
      },
    ],
    [
      'POST',
      /^\/api\/v1\/projects\/([^/]+)\/environments$/,
      async (token, [project], req) => {
        requireAccess(token, project!, 'write');
        const { data } = await readBody(req);
        const template = data.template as { name?: unknown; version?: unknown } | undefined;
        if (typeof data.name !== 'string' || typeof template?.name !== 'string' || typeof template.version !== 'string') {
          throw new HttpError(400, 'send {"name": "...", "template": {"name": "...", "version": "..."}, "variables": {"name": "value"}}');
        }
        const variables = isPlainObject(data.variables) ? Object.fromEntries(Object.entries(data.variables).map(([k, v]) => [k, String(v)])) : {};
        const { etag } = await service.launch({ project: project!, name: data.name, template: { name: template.name, version: template.version }, variables }, { trigger: 'internal', actor: token.name });
        return [201, { outcome: 'created' }, { etag }];
      },
    ],
    [
      'POST',
      /^\/api\/v1\/projects\/([^/]+)\/environments\/([^/]+)\/runs$/,
      async (token, [project, environment], req) => {
        requireAccess(token, project!, 'write');
        const { data } = await readBody(req);
        const action = (data.action ?? 'deploy') as RunAction;
        if (action !== 'deploy' && action !== 'destroy') throw new HttpError(400, 'action must be deploy or destroy');
        return [201, await startManualRun(service, { project: project!, environment: environment!, action, actor: token.name })];
      },
    ],
    [
      'POST',
      /^\/api\/v1\/runs\/([^/]+)\/approvals$/,
      async (token, [id], req) => {
        const run = await service.records.getRun(id!);
        if (!run) throw new HttpError(404, 'not found');
        // Not found for a token that may not read the project, forbidden for one that may only read it.
        requireAccess(token, run.project, 'write');
        const { data } = await readBody(req);
        if (data.gate !== undefined && typeof data.gate !== 'string') throw new HttpError(400, 'send {} to approve every gate of the run, or {"gate": "..."} for one');
        return [201, await approveManualRun(service, { runId: run.id, actor: token.name, ...(typeof data.gate === 'string' ? { gate: data.gate } : {}) })];
      },
    ],
    [
      'GET',
      /^\/api\/v1\/runs$/,
      async (token, _p, _req, url) => {
        const project = url.searchParams.get('project') ?? undefined;
        const environment = url.searchParams.get('environment') ?? undefined;
        const runs = await service.records.listRuns({ ...(project ? { project } : {}), ...(environment ? { environment } : {}) });
        return [200, { runs: runs.filter((r) => allowed(token, r.project, 'read')) }];
      },
    ],
    [
      'GET',
      /^\/api\/v1\/runs\/([^/]+)$/,
      async (token, [id]) => {
        const run = await service.records.getRun(id!);
        if (!run || !allowed(token, run.project, 'read')) throw new HttpError(404, 'not found');
        return [200, run];
      },
    ],
    [
      'GET',
      /^\/api\/v1\/events$/,
      async (token, _p, _req, url) => {
        const project = url.searchParams.get('project') ?? undefined;
        const since = Number(url.searchParams.get('since') ?? 0) || undefined;
        const events = await service.records.listSyncEvents({ ...(project ? { project } : {}), ...(since ? { since } : {}) });
        return [200, { events: events.filter((e) => allowed(token, e.project, 'read')) }];
      },
    ],
  ];

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let caller: ApiToken | undefined;
    // Findings may name other projects' files (what a deletion would break): only readable ones are shown.
    const readable = (findings: readonly { file: string }[]) =>
      findings.filter((f) => {
        const project = /^projects\/([^/.]+)/.exec(f.file)?.[1];
        return !project || (caller !== undefined && allowed(caller, project, 'read'));
      });
    try {
      const matching = routes.filter(([, pattern]) => pattern.test(url.pathname));
      if (matching.length === 0) throw new HttpError(404, 'not found');
      const route = matching.find(([method]) => method === req.method);
      if (!route) throw new HttpError(405, `use ${matching.map(([m]) => m).join(' or ')}`);
      const token = authenticate(req, tokens);
      caller = token;
      let params: string[];
      try {
        params = route[1].exec(url.pathname)!.slice(1).map(decodeURIComponent);
      } catch {
        throw new HttpError(400, 'the URL is not valid percent-encoding');
      }
      const [status, body, headers] = await route[2](token, params, req, url);
      send(res, status, body, headers);
    } catch (e) {
      if (e instanceof HttpError) send(res, e.status, { error: e.message, ...e.extra });
      else if (e instanceof PreconditionFailed) send(res, 412, { error: e.message, etag: e.current }, e.current === null ? {} : { etag: e.current });
      else if (e instanceof SystemError) {
        const findings = readable(e.findings);
        send(res, e.status, { error: e.message, ...(findings.length ? { findings } : {}), ...(findings.length < e.findings.length ? { hidden: e.findings.length - findings.length } : {}) });
      }
      else {
        log(e);
        send(res, 500, { error: 'internal error: see the server log' });
      }
    }
  };
}
