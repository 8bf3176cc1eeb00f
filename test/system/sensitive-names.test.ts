// A value that is a secret only by a name the repository configures (`sensitive.names`) is sealed
// like a declared secret: the bot's pull request writes a sealed:// reference (its body already hid
// the value; its diff showed it), an apply of that reference keeps the system's value, a plan reads
// the reference as that value, and a run gets it from the app.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { desiredState } from '../../src/engine/desired.js';
import { environmentClosure } from '../../src/engine/environment-closure.js';
import { sealedValuesOf } from '../../src/engine/sealed.js';
import { SpecIndex } from '../../src/engine/spec-index.js';
import { loadSpecs } from '../../src/specs/load.js';
import type { SourceFile } from '../../src/specs/source.js';
import { SystemService } from '../../src/system/service.js';
import { openStore, type Store } from '../../src/system/store.js';
import { exampleFiles } from '../golden/scenarios.js';

const NAMES = ['owner_*'];
const REFERENCE = 'sealed://Environment/payments/dev/spec.variables[owner_team].value';
const everything = () => true;
let store: Store;
let service: SystemService;
let sealed: SourceFile[];

beforeEach(async () => {
  store = await openStore({ url: ':memory:' });
  service = new SystemService(store);
  await service.applyRevision(exampleFiles(), 'r1', { trigger: 'webhook', actor: null }, { sensitiveNames: NAMES });
  const dev = await service.get({ kind: 'Environment', project: 'payments', name: 'dev' });
  const document = structuredClone(dev.spec) as { spec: { variables: { name: string; value: string }[] } };
  document.spec.variables.find((v) => v.name === 'owner_team')!.value = 'night-shift-team';
  await service.put(document, { trigger: 'internal', actor: 'console' });
  const plan = await service.exportTo(loadSpecs(exampleFiles(), { root: '.' }), { secrets: 'seal', sensitiveNames: NAMES });
  const changed = new Map(plan.files.map((f) => [f.path, f.content]));
  sealed = exampleFiles().map((f) => (changed.has(f.path) ? { ...f, content: Buffer.from(changed.get(f.path)!) } : f));
});
afterEach(() => store.close());

describe('a value secret by a configured name, changed through the system API', () => {
  it('is written to Git as a sealed reference, never in clear', () => {
    const dev = Buffer.from(sealed.find((f) => f.path.endsWith('environments/dev.yaml'))!.content!).toString('utf8');
    expect(dev).toContain(`value: ${REFERENCE}`);
    expect(dev).not.toContain('night-shift-team');
  });

  it('keeps its value in the system when that reference is applied, and is no change to plan', async () => {
    expect(await service.applyRevision(sealed, 'r2', { trigger: 'webhook', actor: null }, { sensitiveNames: NAMES })).toEqual({ created: [], updated: [], deleted: [] });
    const held = (await service.get({ kind: 'Environment', project: 'payments', name: 'dev' })).spec as { spec: { variables: { name: string; value: string }[] } };
    expect(held.spec.variables.find((v) => v.name === 'owner_team')!.value).toBe('night-shift-team');
    expect(await service.drift(loadSpecs(sealed, { root: '.' }), everything, NAMES)).toEqual([]);
    const desired = desiredState(await service.snapshot(), loadSpecs(sealed, { root: '.' }), everything, NAMES);
    const dev = desired.specs.find((s) => s.kind.kind === 'Environment' && s.name === 'dev')!;
    expect((dev.data.spec as { variables: { name: string; value: string }[] }).variables.find((v) => v.name === 'owner_team')!.value).toBe('night-shift-team');
  });

  it('is what the app hands a run for that reference', async () => {
    const index = new SpecIndex((await service.snapshot()).specs);
    expect(sealedValuesOf(environmentClosure(index, 'payments', 'dev').specs, index, NAMES).get(REFERENCE)).toBe('night-shift-team');
  });
});
