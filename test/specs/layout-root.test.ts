// One spelling of the layout root for every reader: `./config`, `config/` and `config` name the same
// folder. A root that matched no file would read as a revision with no specs, and applying that
// would delete every spec of the system.
import { describe, expect, it } from 'vitest';
import { planExport } from '../../src/engine/export.js';
import { filesFromTarball, readRevision } from '../../src/github/tarball.js';
import { annotationsOf } from '../../src/render/checks.js';
import { layoutPathOf, layoutRoot } from '../../src/specs/layout.js';
import { loadSpecs } from '../../src/specs/load.js';
import { exampleFiles } from '../golden/scenarios.js';
import { tarballOf } from '../helpers/github-fixtures.js';

const under = (root: string) => exampleFiles().map((f) => ({ ...f, path: `${root}/${f.path}` }));

describe('layoutRoot', () => {
  it('gives the top of the repository as "" and any other folder normalized, without a trailing slash', () => {
    expect([undefined, '', '.', './', './/'].map(layoutRoot)).toEqual(['', '', '', '', '']);
    expect(['config', './config', 'config/', './config//', 'a/../config', 'deploy/./config/'].map(layoutRoot)).toEqual(['config', 'config', 'config', 'config', 'config', 'deploy/config']);
  });

  it('makes every reader find the same specs under ./config as under config', async () => {
    const files = under('config');
    const names = (loaded: ReturnType<typeof loadSpecs>) => loaded.specs.map((s) => `${s.kind.kind}/${s.project}/${s.name}`).sort();
    expect(names(loadSpecs(files, { root: './config' }))).toEqual(names(loadSpecs(files, { root: 'config' })));
    expect(loadSpecs(files, { root: './config/' }).specs).toHaveLength(15);
    const fromTarball = await filesFromTarball(tarballOf(files), { root: './config', maxFileBytes: 1 << 20 });
    expect(fromTarball.filter((f) => f.content).map((f) => f.path).sort()).toEqual(files.map((f) => f.path).sort());
    expect(layoutPathOf({ kind: 'Environment', project: 'payments', name: 'dev' }, false, './config/')).toBe('config/projects/payments/environments/dev.yaml');
    expect(annotationsOf([{ file: 'projects/a.yaml', line: 1, column: 1, severity: 'error', code: 'x', message: 'm' }], './config')[0]!.path).toBe('config/projects/a.yaml');
    expect(planExport(loadSpecs(files, { root: './config' }), [], { root: './config' }).files).toEqual(planExport(loadSpecs(files, { root: 'config' }), [], { root: 'config' }).files);
  });
});

describe('a revision read from its tarball', () => {
  it('holds its configuration, and says whether the root holds projects/, even a root under a folder named projects', async () => {
    const nested = exampleFiles().map((f) => ({ ...f, path: `projects/envsync/${f.path}` }));
    const config = { path: '.github/envsync.yml', size: 23, content: new TextEncoder().encode('root: projects/envsync\n') };
    const tarball = tarballOf([config, ...nested]);
    const read = await readRevision(tarball, { root: 'projects/envsync', maxFileBytes: 1 << 20 });
    expect(read.config).toBe('root: projects/envsync\n');
    expect(read.hasProjects).toBe(true);
    expect(read.files.map((f) => f.path)).toEqual(nested.map((f) => f.path).sort());
    const top = await readRevision(tarball, { root: '.', maxFileBytes: 1 << 20 });
    // The top's projects/ is there (it holds envsync/), but no spec of the layout is under it at the right depth.
    expect(top.hasProjects).toBe(true);
    const elsewhere = await readRevision(tarball, { root: 'config', maxFileBytes: 1 << 20 });
    expect([elsewhere.hasProjects, elsewhere.files]).toEqual([false, []]);
  });
});
