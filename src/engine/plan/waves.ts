// A progressive rollout: `.github/envsync.yml` declares waves, and a merge that runs environments of
// several waves runs them wave after wave. Each wave takes, in order, the runs not taken yet that
// its selectors match (projects, environment names, labels, all of those given) and, with a share,
// only that share of them (by name, so that the same fleet always splits the same way). What no
// wave takes runs last. The next wave starts when every run of the one before succeeded, and, when
// the wave has a gate, once `/approve wave/NAME` was given on the merged pull request.
import { claims } from '../ownership.js';
import type { LoadedSpec } from '../../specs/load.js';
import type { Run } from './types.js';

export interface WaveRule {
  name: string;
  projects?: readonly string[];
  /** `PROJECT/ENVIRONMENT` names or globs (`*` any characters, `?` one). */
  environments?: readonly string[];
  /** Labels every environment of the wave carries (`metadata.labels`). */
  labels?: Readonly<Record<string, string>>;
  /** The percentage (1-100) of the runs matched that the wave takes, rounded up. */
  share?: number;
  /** Whether the wave waits for `/approve wave/NAME` on the merged pull request. */
  gate?: boolean;
}

export interface Wave {
  name: string;
  gate: boolean;
  runs: Run[];
}

/** What no declared wave takes: it runs last, without a gate of its own. */
export const REST_WAVE = 'rest';
export const waveGate = (name: string) => `wave/${name}`;
/** The dependency the runs of a merge's next wave name: the wave `index` as a whole (a Barrier of the run lifecycle). */
export const waveBarrierId = (revision: string, index: number) => `wave ${index} of ${revision}`;

const nameOf = (run: Run) => `${run.project}/${run.environment}`;

/**
 * The runs in waves; without rules, a single wave of them all. Empty waves are left out. A run never
 * goes before an environment it depends on: it joins the wave of its latest dependency when that is
 * later (runs come in dependency order, so one pass settles it).
 */
export function assignWaves(runs: readonly Run[], rules: readonly WaveRule[], labelsOf: (run: Run) => Readonly<Record<string, string>> = () => ({})): Wave[] {
  let left = [...runs];
  const chosen: { rule: WaveRule; runs: Set<Run> }[] = [];
  for (const rule of rules) {
    // A destroy is not rolled out: destroys go last, in the plan's order (dependents first).
    const matched = left.filter(
      (run) =>
        run.action === 'deploy' &&
        (!rule.projects || claims(rule.projects, run.project)) &&
        (!rule.environments || claims(rule.environments, nameOf(run))) &&
        (!rule.labels || Object.entries(rule.labels).every(([key, value]) => labelsOf(run)[key] === value)),
    );
    const taken = new Set(rule.share === undefined ? matched : [...matched].sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : 1)).slice(0, Math.ceil((matched.length * rule.share) / 100)));
    left = left.filter((run) => !taken.has(run));
    chosen.push({ rule, runs: taken });
  }
  chosen.push({ rule: { name: REST_WAVE }, runs: new Set(left) });
  const index = new Map<string, number>();
  for (const run of runs) {
    const own = chosen.findIndex((c) => c.runs.has(run));
    const dependencies = run.reasons.filter((r) => r.type === 'dependency-runs').map((r) => index.get(`${r.project}/${r.name}`) ?? 0);
    index.set(nameOf(run), Math.max(own, ...dependencies));
  }
  return chosen
    .map(({ rule }, i) => ({ name: rule.name, gate: rule.gate === true, runs: runs.filter((run) => index.get(nameOf(run)) === i) }))
    .filter((wave) => wave.runs.length > 0);
}

/** The labels of each run's environment, as `loaded` (the state the run runs) holds them. */
export function labelsIn(loaded: { specs: readonly LoadedSpec[] }): (run: Run) => Readonly<Record<string, string>> {
  const labels = new Map(loaded.specs.filter((s) => s.kind.kind === 'Environment').map((s) => [`${s.project}/${s.name}`, ((s.data.metadata as { labels?: Record<string, string> } | undefined)?.labels ?? {}) as Record<string, string>]));
  return (run) => labels.get(nameOf(run)) ?? {};
}
