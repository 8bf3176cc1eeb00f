// Field-level differences between two spec documents: dotted paths, list entries matched by their
// name (or key, or mountPath) rather than their position, and secrets shown only as changed.
import { describe, expect, it } from 'vitest';
import { diffValues, equalValues } from '../../../src/engine/plan/diff.js';
import { Masked, maskSecrets } from '../../../src/engine/plan/mask.js';

/** Whether a value holds a masked secret anywhere inside it. */
const holdsMasked = (v: unknown): boolean =>
  v instanceof Masked || (Array.isArray(v) ? v.some(holdsMasked) : typeof v === 'object' && v !== null && Object.values(v).some(holdsMasked));

describe('diffValues: objects', () => {
  it('reports nothing for equal documents', () => {
    expect(diffValues({ spec: { a: { b: [1, 2] } } }, { spec: { a: { b: [1, 2] } } })).toEqual([]);
  });

  it('reports a nested scalar change at its dotted path with before and after', () => {
    expect(diffValues({ spec: { config: { http: { endpoint: 'a', method: 'GET' } } } }, { spec: { config: { http: { endpoint: 'b', method: 'GET' } } } })).toEqual([
      { path: 'spec.config.http.endpoint', before: 'a', after: 'b' },
    ]);
  });

  it('reports an added field with only an after value and a removed field with only a before value', () => {
    expect(diffValues({ spec: { a: 1, gone: 'x' } }, { spec: { a: 1, added: true } })).toEqual([
      { path: 'spec.added', after: true },
      { path: 'spec.gone', before: 'x' },
    ]);
  });

  it('lists each field of an added object rather than the object as one value', () => {
    expect(diffValues({ spec: {} }, { spec: { repositoryOptions: { name: 'infra', branch: 'main' } } })).toEqual([
      { path: 'spec.repositoryOptions.name', after: 'infra' },
      { path: 'spec.repositoryOptions.branch', after: 'main' },
    ]);
  });

  it('lists each field of a removed object with its before value', () => {
    expect(diffValues({ spec: { repositoryOptions: { name: 'infra', branch: 'main' } } }, { spec: {} })).toEqual([
      { path: 'spec.repositoryOptions.name', before: 'infra' },
      { path: 'spec.repositoryOptions.branch', before: 'main' },
    ]);
  });

  it('lists every field of a document created from nothing', () => {
    expect(diffValues(undefined, { kind: 'Driver', metadata: { name: 'd' } })).toEqual([
      { path: 'kind', after: 'Driver' },
      { path: 'metadata.name', after: 'd' },
    ]);
  });

  it('reports a value that changes type as one change', () => {
    expect(diffValues({ spec: { value: '2' } }, { spec: { value: 2 } })).toEqual([{ path: 'spec.value', before: '2', after: 2 }]);
  });

  it('reports a null value as a before value, distinct from an absent one', () => {
    expect(diffValues({ spec: { value: null } }, { spec: { value: 'x' } })).toEqual([{ path: 'spec.value', before: null, after: 'x' }]);
  });
});

describe('diffValues: lists of named entries', () => {
  it('matches variables by name, so removing one entry does not shift the entries after it', () => {
    const before = { spec: { variables: [{ name: 'a', value: '1' }, { name: 'b', value: '2' }, { name: 'c', value: '3' }] } };
    const after = { spec: { variables: [{ name: 'a', value: '1' }, { name: 'c', value: '3' }] } };
    expect(diffValues(before, after)).toEqual([
      { path: 'spec.variables[name=b].name', before: 'b' },
      { path: 'spec.variables[name=b].value', before: '2' },
    ]);
  });

  it('reports a changed value inside an entry at spec.variables[name=replicas].value', () => {
    const before = { spec: { variables: [{ name: 'owner', value: 'x' }, { name: 'replicas', value: '1' }] } };
    const after = { spec: { variables: [{ name: 'owner', value: 'x' }, { name: 'replicas', value: '2' }] } };
    expect(diffValues(before, after)).toEqual([{ path: 'spec.variables[name=replicas].value', before: '1', after: '2' }]);
  });

  it('reports an added entry field by field, each with only an after value', () => {
    const before = { spec: { variables: [{ name: 'a', value: '1' }] } };
    const after = { spec: { variables: [{ name: 'a', value: '1' }, { name: 'b', value: '2', valueType: 'text' }] } };
    expect(diffValues(before, after)).toEqual([
      { path: 'spec.variables[name=b].name', after: 'b' },
      { path: 'spec.variables[name=b].value', after: '2' },
      { path: 'spec.variables[name=b].valueType', after: 'text' },
    ]);
  });

  it('reports an entry added to an empty list by its name', () => {
    expect(diffValues({ spec: { agents: [] } }, { spec: { agents: [{ name: 'linux' }] } })).toEqual([{ path: 'spec.agents[name=linux].name', after: 'linux' }]);
  });

  it('matches envVars entries by key', () => {
    const before = { spec: { envVars: [{ key: 'AWS_REGION', value: 'eu-west-1' }, { key: 'LOG_LEVEL', value: 'info' }] } };
    const after = { spec: { envVars: [{ key: 'LOG_LEVEL', value: 'debug' }] } };
    expect(diffValues(before, after)).toEqual([
      { path: 'spec.envVars[key=LOG_LEVEL].value', before: 'info', after: 'debug' },
      { path: 'spec.envVars[key=AWS_REGION].key', before: 'AWS_REGION' },
      { path: 'spec.envVars[key=AWS_REGION].value', before: 'eu-west-1' },
    ]);
  });

  it('matches volumes by mountPath, and reports their new order too', () => {
    const before = { volumes: [{ mountPath: '/cache', usePVC: false }, { mountPath: '/data', usePVC: true }] };
    const after = { volumes: [{ mountPath: '/data', usePVC: true }, { mountPath: '/cache', usePVC: true }] };
    expect(diffValues(before, after)).toEqual([
      { path: 'volumes[mountPath=/cache].usePVC', before: false, after: true },
      { path: 'volumes (order)', before: ['/cache', '/data'], after: ['/data', '/cache'] },
    ]);
  });

  it('matches file entries by name before mountPath when both are present', () => {
    const before = { spec: { files: [{ name: 'a.json', mountPath: '/etc/a.json', options: { description: 'x' } }] } };
    const after = { spec: { files: [{ name: 'a.json', mountPath: '/etc/b.json', options: { description: 'x' } }] } };
    expect(diffValues(before, after)).toEqual([{ path: 'spec.files[name=a.json].mountPath', before: '/etc/a.json', after: '/etc/b.json' }]);
  });

  it('reports the same named entries in another order as one (order) change with the names before and after', () => {
    const before = { spec: { resources: [{ name: 'network' }, { name: 'database' }, { name: 'app' }] } };
    const after = { spec: { resources: [{ name: 'app' }, { name: 'network' }, { name: 'database' }] } };
    expect(diffValues(before, after)).toEqual([
      { path: 'spec.resources (order)', before: ['network', 'database', 'app'], after: ['app', 'network', 'database'] },
    ]);
  });

  it('reports a reordering of hooks (they run in list order) even when a hook also changed', () => {
    const before = { hooks: { onInit: [{ name: 'approve', timeoutSeconds: 60 }, { name: 'check', timeoutSeconds: 60 }] } };
    const after = { hooks: { onInit: [{ name: 'check', timeoutSeconds: 60 }, { name: 'approve', timeoutSeconds: 120 }] } };
    expect(diffValues(before, after)).toEqual([
      { path: 'hooks.onInit[name=approve].timeoutSeconds', before: 60, after: 120 },
      { path: 'hooks.onInit (order)', before: ['approve', 'check'], after: ['check', 'approve'] },
    ]);
  });

  it('compares entries by position when names are not unique in the list', () => {
    const before = { list: [{ name: 'a', v: 1 }, { name: 'a', v: 2 }] };
    const after = { list: [{ name: 'a', v: 1 }, { name: 'a', v: 3 }] };
    expect(diffValues(before, after)).toEqual([{ path: 'list[1].v', before: 2, after: 3 }]);
  });

  it('compares entries without any identity field by position', () => {
    const before = { tolerations: [{ operator: 'Exists', effect: 'NoSchedule' }] };
    const after = { tolerations: [{ operator: 'Exists', effect: 'NoExecute' }, { operator: 'Equal' }] };
    expect(diffValues(before, after)).toEqual([
      { path: 'tolerations[0].effect', before: 'NoSchedule', after: 'NoExecute' },
      { path: 'tolerations[1].operator', after: 'Equal' },
    ]);
  });
});

describe('diffValues: lists of scalars', () => {
  it('reports a changed scalar list whole, with both lists', () => {
    expect(diffValues({ commands: ['/bin/sh', '-c'] }, { commands: ['/bin/sh', '-e', '-c'] })).toEqual([
      { path: 'commands', before: ['/bin/sh', '-c'], after: ['/bin/sh', '-e', '-c'] },
    ]);
  });

  it('reports a reordered scalar list whole', () => {
    expect(diffValues({ backendConfigs: ['a=1', 'b=2'] }, { backendConfigs: ['b=2', 'a=1'] })).toEqual([
      { path: 'backendConfigs', before: ['a=1', 'b=2'], after: ['b=2', 'a=1'] },
    ]);
  });

  it('reports an added scalar list whole as its after value', () => {
    expect(diffValues({ spec: {} }, { spec: { varFiles: ['a.tfvars'] } })).toEqual([{ path: 'spec.varFiles', after: ['a.tfvars'] }]);
  });
});

describe('diffValues: masked values', () => {
  const variable = (value: string) => maskSecrets({ spec: { variables: [{ name: 'db_password', value, options: { sensitive: true } }] } });

  it('reports a changed secret as {path, sensitive: true} without before or after', () => {
    expect(diffValues(variable('old-secret'), variable('new-secret'))).toEqual([{ path: 'spec.variables[name=db_password].value', sensitive: true }]);
  });

  it('reports nothing when the secret did not change', () => {
    expect(diffValues(variable('same-secret'), variable('same-secret'))).toEqual([]);
  });

  it('reports a secret beside a plain change without revealing it', () => {
    const before = maskSecrets({ spec: { variables: [{ name: 'pw', value: 's1', options: { sensitive: true, description: 'a' } }] } });
    const after = maskSecrets({ spec: { variables: [{ name: 'pw', value: 's2', options: { sensitive: true, description: 'b' } }] } });
    const changes = diffValues(before, after);
    expect(changes).toEqual([
      { path: 'spec.variables[name=pw].value', sensitive: true },
      { path: 'spec.variables[name=pw].options.description', before: 'a', after: 'b' },
    ]);
    expect(JSON.stringify(changes)).not.toMatch(/s1|s2/);
  });

  it('reports the secret of an added entry as sensitive, its other fields in clear', () => {
    const before = maskSecrets({ spec: { files: [] } });
    const after = maskSecrets({ spec: { files: [{ name: 'key.pem', data: 'LS0tLS1CRUdJTg==' }] } });
    expect(diffValues(before, after)).toEqual([
      { path: 'spec.files[name=key.pem].name', after: 'key.pem' },
      { path: 'spec.files[name=key.pem].data', sensitive: true },
    ]);
  });

  it('reports the secret of a removed entry as sensitive', () => {
    const before = maskSecrets({ spec: { files: [{ name: 'key.pem', data: 'LS0tLS1CRUdJTg==' }] } });
    expect(diffValues(before, maskSecrets({ spec: { files: [] } }))).toEqual([
      { path: 'spec.files[name=key.pem].name', before: 'key.pem' },
      { path: 'spec.files[name=key.pem].data', sensitive: true },
    ]);
  });

  it('reports a value that becomes sensitive as sensitive, without its clear before value', () => {
    const before = maskSecrets({ spec: { variables: [{ name: 'pw', value: 'visible-before' }] } });
    const after = maskSecrets({ spec: { variables: [{ name: 'pw', value: 'visible-before', options: { sensitive: true } }] } });
    const changes = diffValues(before, after);
    expect(changes).toEqual([
      { path: 'spec.variables[name=pw].value', sensitive: true },
      { path: 'spec.variables[name=pw].options.sensitive', after: true },
    ]);
    expect(JSON.stringify(changes)).not.toContain('visible-before');
  });

  it('treats two masks of the same secret as equal and of different secrets as different', () => {
    expect(equalValues(maskSecrets({ files: { f: 'one' } }), maskSecrets({ files: { f: 'one' } }))).toBe(true);
    expect(equalValues(maskSecrets({ files: { f: 'one' } }), maskSecrets({ files: { f: 'two' } }))).toBe(false);
    expect(equalValues(maskSecrets({ files: { f: 'one' } }), { files: { f: 'one' } })).toBe(false);
  });

  it('flags a secret inside a list that appears whole as sensitive, and puts no masked value in any before or after', () => {
    const before = maskSecrets({ spec: {} });
    const after = maskSecrets({ spec: { envs: [{ key: 'API_TOKEN', value: 'added-secret', options: { sensitive: true } }] } });
    const changes = diffValues(before, after);
    expect(changes.filter((c) => holdsMasked(c.before) || holdsMasked(c.after))).toEqual([]);
    expect(changes.filter((c) => c.sensitive)).toHaveLength(1);
  });
});
