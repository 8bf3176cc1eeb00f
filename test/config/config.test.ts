// `.github/envsync.yml`: documented defaults, project settings over global ones, and an invalid file
// reported where it is wrong (with the defaults in force meanwhile).
import { describe, expect, it } from 'vitest';
import { parseRepositoryConfig, runnerLabels, syncs, syncSettingsFor } from '../../src/config/config.js';

describe('parseRepositoryConfig', () => {
  it('gives the documented defaults when the file is absent or empty', () => {
    const expected = {
      root: '.',
      projects: ['*'],
      deletion: {},
      sync: { direction: 'both', delivery: 'pull-request', secrets: 'seal', destination: {}, projects: {} },
      drift: { mode: 'system-wins' },
      rollout: { waves: [] },
      approvals: { users: [], teams: [], allowAuthor: false },
      runs: { workflow: 'envsync-run.yml', labels: {}, defaultLabels: ['ubuntu-latest'] },
    };
    expect(parseRepositoryConfig(undefined)).toEqual({ config: expected, findings: [] });
    expect(parseRepositoryConfig('# nothing yet\n')).toEqual({ config: expected, findings: [] });
  });

  it('reads every setting, and a project\'s settings override the global ones', () => {
    const { config, findings } = parseRepositoryConfig(
      [
        'root: config',
        'branch: production',
        'sync:',
        '  delivery: commit',
        '  exclude: [Cluster]',
        '  destination: {repository: acme/config-mirror, branch: sync}',
        '  projects:',
        '    payments:',
        '      delivery: pull-request',
        '      include: [Environment, EnvironmentTemplate]',
        'drift:',
        '  mode: git-wins',
      ].join('\n'),
    );
    expect(findings).toEqual([]);
    expect(config.root).toBe('config');
    expect(config.branch).toBe('production');
    expect(config.sync.destination).toEqual({ repository: 'acme/config-mirror', branch: 'sync' });
    expect(config.drift.mode).toBe('git-wins');
    expect(syncSettingsFor(config, 'platform')).toEqual({ direction: 'both', delivery: 'commit', secrets: 'seal', exclude: ['Cluster'] });
    expect(syncSettingsFor(config, 'payments')).toEqual({ direction: 'both', delivery: 'pull-request', secrets: 'seal', exclude: ['Cluster'], include: ['Environment', 'EnvironmentTemplate'] });
  });

  it('says which kinds of which project sync in which direction', () => {
    const { config } = parseRepositoryConfig('sync:\n  exclude: [Cluster]\n  projects:\n    archive:\n      direction: git-to-system\n');
    expect(syncs(config, 'payments', 'Environment', 'system-to-git')).toBe(true);
    expect(syncs(config, 'payments', 'Cluster', 'system-to-git')).toBe(false);
    expect(syncs(config, 'archive', 'Environment', 'system-to-git')).toBe(false);
    expect(syncs(config, 'archive', 'Environment', 'git-to-system')).toBe(true);
  });

  it('reports a misspelled setting at its key with a suggestion, and keeps the other settings', () => {
    const { config, findings } = parseRepositoryConfig('root: config\nsync:\n  delivry: commit\n  secrets: keep\n');
    expect(findings).toEqual([
      { file: '.github/envsync.yml', line: 3, column: 3, severity: 'error', code: 'unknown-field', message: 'unknown field "delivry" in sync: did you mean "delivery"?' },
    ]);
    expect(config.sync.delivery).toBe('pull-request');
    expect(config.root).toBe('config');
    expect(config.sync.secrets).toBe('keep');
  });

  it('reports a value outside its choices, and a kind that does not exist', () => {
    const { findings } = parseRepositoryConfig('sync:\n  secrets: plain\n  include: [Enviroment]\n');
    expect(findings.map((f) => [f.line, f.column, f.code, f.message])).toEqual([
      [2, 12, 'invalid-value', 'sync.secrets must be one of: seal, keep'],
      [3, 13, 'invalid-value', 'sync.include[0] must be one of: Driver, ConfigContext, Resource, ResourceTemplate, EnvironmentTemplate, Environment, Cluster, Project: did you mean "Environment"?'],
    ]);
  });

  it('reports YAML that does not parse at its position', () => {
    expect(parseRepositoryConfig('sync: [\n').findings).toMatchObject([{ line: 2, column: 1, code: 'yaml-syntax' }]);
  });
});

describe('runner labels', () => {
  const { config, findings } = parseRepositoryConfig(['runs:', '  labels:', '    gpu: [self-hosted, gpu]', '    linux-small: [ubuntu-latest]', '  defaultLabels: [self-hosted]'].join('\n'));

  it('are those of the first agent of the environment that the configuration maps, else the default', () => {
    expect(findings).toEqual([]);
    expect(runnerLabels(config.runs, ['unknown', 'gpu', 'linux-small'])).toEqual(['self-hosted', 'gpu']);
    expect(runnerLabels(config.runs, ['unknown'])).toEqual(['self-hosted']);
    expect(runnerLabels(config.runs, [])).toEqual(['self-hosted']);
  });

  it('refuse a workflow that is not a file name in .github/workflows, where it is written', () => {
    const bad = parseRepositoryConfig('runs:\n  workflow: ../evil.yml\n');
    expect(bad.findings.map((f) => `${f.line}:${f.column} ${f.code}`)).toEqual(['2:13 invalid-value']);
    expect(bad.config.runs.workflow).toBe('envsync-run.yml');
  });
});

describe('rollout.waves', () => {
  it('takes waves with projects, environment globs, labels, a share and a gate, in order', () => {
    const text = ['rollout:', '  waves:', '  - name: canary', '    environments: [payments/dev]', '  - name: early', '    projects: [retail]', '    labels: { tier: early }', '    share: 50', '    gate: true'].join('\n');
    expect(parseRepositoryConfig(text)).toMatchObject({
      findings: [],
      config: { rollout: { waves: [{ name: 'canary', environments: ['payments/dev'] }, { name: 'early', projects: ['retail'], labels: { tier: 'early' }, share: 50, gate: true }] } },
    });
  });

  it('refuses a share outside 1-100 and a name that is no gate name, saying where', () => {
    const { findings } = parseRepositoryConfig(['rollout:', '  waves:', '  - name: Wave 1', '    share: 0'].join('\n'));
    expect(findings.map((f) => `${f.line}:${f.column} ${f.code}`)).toEqual(expect.arrayContaining([expect.stringMatching(/^3:\d+ /), expect.stringMatching(/^4:\d+ /)]));
  });
});

describe('rollout wave names', () => {
  it('are one per wave, and never rest (the last wave of what no wave takes), said at the name', () => {
    const text = ['rollout:', '  waves:', '  - name: canary', '  - name: canary', '  - name: rest'].join('\n');
    const { findings } = parseRepositoryConfig(text);
    expect(findings.map((f) => [f.line, f.code, f.message])).toEqual([
      [4, 'wave-name', 'wave "canary" is named twice: give each wave a name of its own'],
      [5, 'wave-name', 'wave "rest" is the name of the last wave, which takes what no wave takes: give each wave a name of its own'],
    ]);
  });
});
