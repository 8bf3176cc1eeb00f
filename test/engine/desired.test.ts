// The desired state of a revision, as plans and deletion checks see it: a secret Git holds as a
// sealed:// reference is the value the system keeps there, as the apply keeps it. A merged bot pull
// request that seals a secret the system already holds changes nothing and plans no run.
import { describe, expect, it } from 'vitest';
import { desiredState } from '../../src/engine/desired.js';
import { planChange } from '../../src/engine/plan/plan.js';
import { loadSpecs } from '../../src/specs/load.js';
import type { SourceFile } from '../../src/specs/source.js';
import { exampleFiles } from '../golden/scenarios.js';

const CONTEXT = 'projects/platform/configcontexts/aws-account.yaml';
const REFERENCE = 'sealed://ConfigContext/platform/aws-account/spec.variables[aws_secret_access_key].value';
const everything = () => true;

const withKey = (files: readonly SourceFile[], from: string, to: string): SourceFile[] =>
  files.map((f) => (f.path === CONTEXT ? { ...f, content: Buffer.from(Buffer.from(f.content!).toString('utf8').replace(from, to)) } : f));

describe('desiredState', () => {
  // The system holds the key rotated through the API; Git, after the bot's pull request, the reference.
  const system = loadSpecs(withKey(exampleFiles(), 'example-secret-access-key', 'rotated-key'), { root: '.' });
  const sealedInGit = loadSpecs(withKey(exampleFiles(), 'example-secret-access-key', REFERENCE), { root: '.' });

  it('takes the value the system keeps for a sealed reference: the revision changes nothing, and plans no run', () => {
    const desired = desiredState(system, sealedInGit, everything);
    const context = desired.specs.find((s) => s.kind.kind === 'ConfigContext' && s.name === 'aws-account')!;
    expect((context.data.spec as { variables: { value: string }[] }).variables[0]!.value).toBe('rotated-key');
    const plan = planChange({ base: { revision: 'system', loaded: system }, head: { revision: 'merge', loaded: desired } });
    expect([plan.changes.length, plan.runs.length]).toEqual([0, 0]);
  });

  it('keeps the reference where the system holds no such spec (nothing to take the value from)', () => {
    const empty = loadSpecs([], { root: '.' });
    const context = desiredState(empty, sealedInGit, everything).specs.find((s) => s.name === 'aws-account')!;
    expect((context.data.spec as { variables: { value: string }[] }).variables[0]!.value).toBe(REFERENCE);
  });

  it('still plans a change Git makes beside a sealed reference', () => {
    const changed = loadSpecs(withKey(withKey(exampleFiles(), 'example-secret-access-key', REFERENCE), 'eu-central-1', 'eu-west-1'), { root: '.' });
    const plan = planChange({ base: { revision: 'system', loaded: system }, head: { revision: 'merge', loaded: desiredState(system, changed, everything) } });
    expect(plan.changes.map((c) => `${c.kind} ${c.name}`)).toEqual(['ConfigContext aws-account']);
  });
});
