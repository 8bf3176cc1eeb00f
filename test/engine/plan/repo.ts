// Repositories for the plan tests: the example repository as a base, heads built by editing its
// file texts in memory, and small synthetic repositories, all loaded and planned end to end.
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { buildActivities } from '../../../src/engine/plan/activities.js';
import { planChange } from '../../../src/engine/plan/plan.js';
import type { Activity, Plan } from '../../../src/engine/plan/types.js';
import { SpecIndex } from '../../../src/engine/spec-index.js';
import { loadSpecs, type LoadResult } from '../../../src/specs/load.js';
import { readDirectory } from '../../../src/specs/read-directory.js';
import { sources, validate } from '../../helpers/repo.js';

export type Files = Record<string, string>;

const EXAMPLE = fileURLToPath(new URL('../../../examples/config-repo', import.meta.url));

/** The example repository's spec files, path → text. */
export function exampleFiles(): Files {
  const files: Files = {};
  for (const f of readDirectory(EXAMPLE, { root: '.', maxFileBytes: 1 << 20 })) {
    if (f.content) files[f.path] = new TextDecoder().decode(f.content);
  }
  return files;
}

/** A copy of `files` with `from` replaced by `to` in the file at `path`; `from` must occur exactly once. */
export function edit(files: Files, path: string, from: string, to: string): Files {
  const text = files[path];
  if (text === undefined) throw new Error(`no file ${path}`);
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`"${from}" does not occur exactly once in ${path}`);
  return { ...files, [path]: text.slice(0, at) + to + text.slice(at + from.length) };
}

/** A copy of `files` without the files at `paths`. */
export function without(files: Files, ...paths: string[]): Files {
  const out = { ...files };
  for (const p of paths) {
    if (!(p in out)) throw new Error(`no file ${p}`);
    delete out[p];
  }
  return out;
}

export const load = (files: Files): LoadResult => loadSpecs(sources(files));

/** The plan from `base` to `head`. */
export function plan(base: Files, head: Files): Plan {
  return planChange({ base: { revision: 'base', loaded: load(base) }, head: { revision: 'head', loaded: load(head) } });
}

/**
 * The activities of a run of environment template `name` (project p unless given) in `files`, which
 * must validate without findings unless `invalid` says they are expected.
 */
export function activitiesOf(files: Files, action: 'deploy' | 'destroy', name = 'web', project = 'p', invalid = false): Activity[] {
  const { findings, loaded } = validate(files);
  if (!invalid) expect(findings).toEqual([]);
  const template = loaded.specs.find((s) => s.kind.kind === 'EnvironmentTemplate' && s.name === name && s.project === project);
  if (!template) throw new Error(`no template ${name}`);
  return buildActivities(template, new SpecIndex(loaded.specs), action);
}

/** Each run as `project/environment action`, in the plan's order. */
export const runsOf = (p: Plan): string[] => p.runs.map((r) => `${r.project}/${r.environment} ${r.action}`);

export const ENV_DEV = 'projects/payments/environments/dev.yaml';
export const ENV_STAGING = 'projects/payments/environments/staging.yaml';
export const ET_WEB_STACK = 'projects/payments/environmenttemplates/web-stack.yaml';
export const RT_NETWORK = 'projects/payments/resourcetemplates/network.yaml';
export const RT_DATABASE = 'projects/payments/resourcetemplates/database.yaml';
export const RT_APP = 'projects/payments/resourcetemplates/app.yaml';
export const RES_DNS = 'projects/payments/resources/dns-zone.yaml';
export const CTX_AWS = 'projects/platform/configcontexts/aws-account.yaml';
export const DRV_NOTIFY = 'projects/platform/drivers/notify.yaml';
export const DRV_TOFU = 'projects/platform/drivers/tofu-runner.yaml';
export const DRV_RENDER = 'projects/payments/drivers/render-manifests.yaml';
