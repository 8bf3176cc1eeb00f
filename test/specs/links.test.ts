// Symbolic links are never followed: one that leads out of the checkout is an error and nothing
// behind it is read (its contents must reach no finding), one that stays inside is reported too;
// a loop is just another link. The same holds for links stored in a git revision.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateDirectory } from '../../src/validate-directory.js';
import { readConfigFile } from '../../src/config/read-config.js';
import { readGitRevision } from '../../src/specs/read-git.js';
import { validateSources } from '../../src/engine/validate.js';
import { gitLinkTarget } from '../../src/specs/links.js';

const CANARY = 'CANARY-91c2e0';

/** A spec whose every finding would print the canary: its only key is an unknown field named after it. */
const LEAKY = `${CANARY}: 1\n`;

const resource = (name: string) => `apiVersion: eaas.envmgmt.io/v1\nkind: Resource\nmetadata:\n  name: ${name}\n  project: shop\nspec: {}\n`;

let base: string;
let dir: string;
let outside: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'envsync-links-'));
  dir = join(base, 'checkout');
  outside = join(base, 'elsewhere');
  mkdirSync(dir);
  mkdirSync(outside);
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

function write(root: string, relative: string, text: string) {
  mkdirSync(dirname(join(root, relative)), { recursive: true });
  writeFileSync(join(root, relative), text);
}

function link(relative: string, target: string) {
  mkdirSync(dirname(join(dir, relative)), { recursive: true });
  symlinkSync(target, join(dir, relative));
}

const validate = (root = '.') => validateDirectory(dir, { root, maxFileBytes: 1 << 20, listOutside: true });

const OUTSIDE = (noun: 'file' | 'folder') =>
  `a symbolic link that leads outside the checkout: envsync never reads it, so that a change cannot make it print files of the machine it runs on; put the ${noun} itself here`;

const outsideFinding = (file: string, noun: 'file' | 'folder') => ({ file, line: 1, column: 1, severity: 'error', code: 'link-outside-checkout', message: OUTSIDE(noun) });

/** Nothing behind a link reaches a finding, the ignored list or the counts. */
function expectNothingRead(result: ReturnType<typeof validate>) {
  expect(JSON.stringify(result)).not.toContain(CANARY);
  expect(JSON.stringify(result)).not.toContain('elsewhere');
}

describe('links on disk that lead outside the checkout', () => {
  it('reports projects/ linked to a folder outside as link-outside-checkout at projects, and reads nothing in it', () => {
    write(outside, 'shop/resources/leak.yaml', LEAKY);
    link('projects', outside);
    const result = validate();
    expect(result.findings).toEqual([outsideFinding('projects', 'folder')]);
    expect(result).toMatchObject({ files: 0, specs: 0, ignored: [], hasProjects: true });
    expectNothingRead(result);
  });

  it('reports a layout root linked outside at the root folder, and reads nothing under it', () => {
    write(outside, 'projects/shop/resources/leak.yaml', LEAKY);
    link('config', outside);
    const result = validate('config');
    expect(result.findings).toEqual([outsideFinding('config', 'folder')]);
    expectNothingRead(result);
  });

  it('reports <root>/projects linked outside at that link', () => {
    write(outside, 'shop/resources/leak.yaml', LEAKY);
    link('config/projects', outside);
    expect(validate('config').findings).toEqual([outsideFinding('config/projects', 'folder')]);
  });

  it('reports a spec file linked to a file outside as an error, not as a skipped file', () => {
    write(outside, 'leak.yaml', LEAKY);
    write(dir, 'projects/shop/resources/r.yaml', resource('r'));
    link('projects/shop/resources/leak.yaml', join(outside, 'leak.yaml'));
    const result = validate();
    expect(result.findings).toEqual([outsideFinding('projects/shop/resources/leak.yaml', 'file')]);
    expect(result.files).toBe(1);
    expectNothingRead(result);
  });

  it('reports a kind folder inside projects/ linked outside as an error, where it used to be ignored quietly', () => {
    write(outside, 'leak.yaml', LEAKY);
    link('projects/shop/resources', outside);
    const result = validate();
    expect(result.findings).toEqual([outsideFinding('projects/shop/resources', 'folder')]);
    expectNothingRead(result);
  });

  it('judges a link by its real target: through an inside link to an outside file is outside', () => {
    write(outside, 'leak.yaml', LEAKY);
    link('hop.yaml', join(outside, 'leak.yaml'));
    link('projects/shop/resources/r.yaml', '../../../hop.yaml');
    expect(validate().findings).toEqual([outsideFinding('projects/shop/resources/r.yaml', 'file')]);
  });

  it('judges a dangling link by the target it names', () => {
    link('projects/shop/resources/gone.yaml', join(outside, 'nothing-here.yaml'));
    expect(validate().findings).toEqual([outsideFinding('projects/shop/resources/gone.yaml', 'file')]);
  });
});

describe('links on disk that stay inside the checkout', () => {
  const skipped = (file: string, what: string) => ({
    file,
    line: 1,
    column: 1,
    severity: 'warning',
    code: 'file-skipped',
    message: `not read: a symbolic link, and envsync does not follow symbolic links (the app reads the repository as Git stores it); store the ${what}`,
  });

  it('warns file-skipped for a spec linked to another file of the checkout, as the app would not read it either', () => {
    write(dir, 'shared/r.yaml', resource('r'));
    link('projects/shop/resources/r.yaml', '../../../shared/r.yaml');
    expect(validate().findings).toEqual([skipped('projects/shop/resources/r.yaml', 'spec as a regular file')]);
  });

  it('warns file-skipped for a project folder linked inside, naming a folder', () => {
    write(dir, 'shared/resources/r.yaml', resource('r'));
    link('projects/shop', '../shared');
    expect(validate().findings).toEqual([skipped('projects/shop', 'specs in a regular folder')]);
  });

  it('reports projects/ linked to a folder inside as link-not-followed: no spec under it is read', () => {
    write(dir, 'real/shop/resources/r.yaml', resource('r'));
    link('projects', 'real');
    const result = validate();
    expect(result.findings).toEqual([
      {
        file: 'projects',
        line: 1,
        column: 1,
        severity: 'error',
        code: 'link-not-followed',
        message:
          'a symbolic link: envsync does not follow symbolic links (the app reads the repository as Git stores it), so no spec under it is read; replace the link with the folder, or set root in .github/envsync.yml to the folder it points to',
      },
    ]);
    expect(result.specs).toBe(0);
  });

  it('finishes on link loops, a file pair and a folder pointing at its parent, and reports each link', () => {
    link('projects/shop/resources/a.yaml', 'b.yaml');
    link('projects/shop/resources/b.yaml', 'a.yaml');
    link('projects/shop/resources/self.yaml', 'self.yaml');
    link('projects/loop', '.');
    const result = validate();
    expect(result.findings.map((f) => [f.file, f.code])).toEqual([
      ['projects/loop', 'file-skipped'],
      ['projects/shop/resources/a.yaml', 'file-skipped'],
      ['projects/shop/resources/b.yaml', 'file-skipped'],
      ['projects/shop/resources/self.yaml', 'file-skipped'],
    ]);
  });

  it('ignores quietly a link where no spec would be read anyway (a README under projects/)', () => {
    write(dir, 'README.md', '# notes\n');
    link('projects/README.md', '../README.md');
    expect(validate().findings).toEqual([]);
    expect(validate().ignored).toEqual([{ file: 'projects/README.md', reason: 'symbolic link, not followed' }]);
  });
});

describe('readConfigFile: .github/envsync.yml', () => {
  it('reports a configuration linked to a file outside, and returns no text', () => {
    write(outside, 'meminfo', `MemTotal: 1\n${CANARY}: 2\n`);
    link('.github/envsync.yml', join(outside, 'meminfo'));
    const read = readConfigFile(dir);
    expect(read).toEqual({ text: undefined, findings: [outsideFinding('.github/envsync.yml', 'file')] });
  });

  it('reports .github/ linked outside at .github', () => {
    write(outside, 'envsync.yml', `${CANARY}: 1\n`);
    link('.github', outside);
    expect(readConfigFile(dir)).toEqual({ text: undefined, findings: [outsideFinding('.github', 'folder')] });
  });

  it('reports a configuration linked inside as link-not-followed: the defaults apply', () => {
    write(dir, 'settings.yml', 'root: config\n');
    link('.github/envsync.yml', '../settings.yml');
    expect(readConfigFile(dir)).toEqual({
      text: undefined,
      findings: [
        {
          file: '.github/envsync.yml',
          line: 1,
          column: 1,
          severity: 'error',
          code: 'link-not-followed',
          message: 'a symbolic link: envsync does not follow symbolic links (the app reads the repository as Git stores it), so the settings in force are the defaults; replace the link with the file',
        },
      ],
    });
  });

  it('reads a regular configuration, and reports one over the size limit instead of reading it', () => {
    write(dir, '.github/envsync.yml', 'root: config\n');
    expect(readConfigFile(dir)).toEqual({ text: 'root: config\n', findings: [] });
    expect(readConfigFile(dir, 5).findings).toMatchObject([{ file: '.github/envsync.yml', line: 1, column: 1, code: 'file-too-large' }]);
    expect(readConfigFile(join(base, 'none'))).toEqual({ text: undefined, findings: [] });
  });
});

describe('links stored in a git revision (mode 120000)', () => {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  function commit() {
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'specs');
  }
  const findingsAt = (ref: string, root = '.') => validateSources(readGitRevision(dir, ref, { root, maxFileBytes: 1 << 20 }), { root }).findings;

  it('reports a spec stored as a link out of the checkout as link-outside-checkout, and one inside as file-skipped, never as a spec', () => {
    write(dir, 'projects/shop/resources/r.yaml', resource('r'));
    write(dir, 'shared/s.yaml', resource('s'));
    link('projects/shop/resources/passwd.yaml', '/etc/passwd');
    link('projects/shop/resources/up.yaml', '../../../../x.yaml');
    link('projects/shop/resources/s.yaml', '../../../shared/s.yaml');
    commit();
    const findings = findingsAt('HEAD');
    expect(findings.map((f) => [f.file, f.code])).toEqual([
      ['projects/shop/resources/passwd.yaml', 'link-outside-checkout'],
      ['projects/shop/resources/s.yaml', 'file-skipped'],
      ['projects/shop/resources/up.yaml', 'link-outside-checkout'],
    ]);
    expect(findings[0]).toEqual(outsideFinding('projects/shop/resources/passwd.yaml', 'file'));
  });

  it('reports projects/ and a layout root stored as links', () => {
    write(outside, 'shop/resources/leak.yaml', LEAKY);
    link('projects', outside);
    link('config', '..');
    commit();
    expect(findingsAt('HEAD')).toEqual([outsideFinding('projects', 'folder')]);
    expect(findingsAt('HEAD', 'config')).toEqual([outsideFinding('config', 'folder')]);
  });

  it('judges a stored target by its text: absolute or climbing above the top is outside', () => {
    expect(gitLinkTarget('projects/p/a.yaml', '/etc/passwd')).toBe('outside');
    expect(gitLinkTarget('projects/p/a.yaml', '../../../x.yaml')).toBe('outside');
    expect(gitLinkTarget('projects/p/a.yaml', '../../x/../../y.yaml')).toBe('outside');
    expect(gitLinkTarget('projects/p/a.yaml', 'C:/Windows/win.ini')).toBe('outside');
    expect(gitLinkTarget('projects/p/a.yaml', '../../shared/a.yaml')).toBe('inside');
    expect(gitLinkTarget('projects/p/a.yaml', 'b.yaml')).toBe('inside');
  });
});
