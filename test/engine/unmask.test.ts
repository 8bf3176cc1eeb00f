// The mask a read shows for a secret, sent back: it stands for the secret the system holds at exactly
// that place, and nowhere else.
import { describe, expect, it } from 'vitest';
import { ALL_SENSITIVE, MASK, mapSecrets, namedPath, unmaskFrom } from '../../src/engine/secrets.js';

const held = {
  spec: {
    variables: [
      { name: 'region', value: 'eu-west-1' },
      { name: 'DB_PASS', value: 'real-db-pass', options: { sensitive: true } },
      { name: 'API_TOKEN', value: 'real-token' },
    ],
  },
};
/** What a read of `held` shows. */
const shown = () => structuredClone(mapSecrets(held, () => MASK)) as typeof held;

describe('unmaskFrom', () => {
  it('keeps a URL with a password that a read masked by its shape alone, in a field no name makes secret', () => {
    const withUrl = { spec: { variables: [{ name: 'DATABASE_URL', value: 'postgres://admin:canary-pw@db/x' }], other: { url: 'https://u:canary-2@h/' } } };
    const sent = structuredClone(mapSecrets(withUrl, () => MASK)) as typeof withUrl;
    expect(sent.spec.variables[0]!.value).toBe(MASK);
    expect(unmaskFrom(sent, withUrl)).toEqual({ document: withUrl, unresolved: [] });
  });


  it('puts back the secret held at each masked place and keeps every other value as sent', () => {
    const sent = shown();
    sent.spec.variables[0]!.value = 'eu-central-1';
    expect(unmaskFrom(sent, held)).toEqual({
      document: {
        spec: {
          variables: [
            { name: 'region', value: 'eu-central-1' },
            { name: 'DB_PASS', value: 'real-db-pass', options: { sensitive: true } },
            { name: 'API_TOKEN', value: 'real-token' },
          ],
        },
      },
      unresolved: [],
    });
  });

  it('follows list entries by name, not by position, when the client reorders or inserts entries', () => {
    const sent = shown();
    sent.spec.variables.reverse();
    sent.spec.variables.unshift({ name: 'SESSION_SECRET', value: 'new-session-secret' });
    const { document, unresolved } = unmaskFrom(sent, held);
    expect(unresolved).toEqual([]);
    expect((document as typeof held).spec.variables).toEqual([
      { name: 'SESSION_SECRET', value: 'new-session-secret' },
      { name: 'API_TOKEN', value: 'real-token' },
      { name: 'DB_PASS', value: 'real-db-pass', options: { sensitive: true } },
      { name: 'region', value: 'eu-west-1' },
    ]);
  });

  it('leaves a secret the client replaced with a real value as the client sent it', () => {
    const sent = shown();
    sent.spec.variables[1]!.value = 'rotated-db-pass';
    expect((unmaskFrom(sent, held).document as typeof held).spec.variables[1]!.value).toBe('rotated-db-pass');
  });

  it('reports a mask where the system holds no secret: a new entry, a renamed one, a spec it does not hold', () => {
    const sent = shown();
    sent.spec.variables[1]!.name = 'DB_PASSWORD';
    sent.spec.variables.push({ name: 'NEW_SECRET', value: MASK, options: { sensitive: true } } as never);
    expect(unmaskFrom(sent, held).unresolved).toEqual([
      { path: ['spec', 'variables', 1, 'value'], reason: 'held' },
      { path: ['spec', 'variables', 3, 'value'], reason: 'held' },
    ]);
    expect(unmaskFrom(shown(), undefined).unresolved.map((u) => u.reason)).toEqual(['held', 'held']);
  });

  it('reports a mask at a place the document sent no longer keeps secret, instead of copying the secret there', () => {
    const marked = { spec: { variables: [{ name: 'db_host', value: 'real-db-host', options: { sensitive: true } }] } };
    const sent = { spec: { variables: [{ name: 'db_host', value: MASK }] } };
    const { document, unresolved } = unmaskFrom(sent, marked);
    expect(unresolved).toEqual([{ path: ['spec', 'variables', 0, 'value'], reason: 'not-secret' }]);
    expect(JSON.stringify(document)).not.toContain('real-db-host');
  });

  it('reports a mask the system itself holds (a secret an earlier round trip destroyed): only the real value mends it', () => {
    const destroyed = structuredClone(held);
    destroyed.spec.variables[1]!.value = MASK;
    expect(unmaskFrom(shown(), destroyed).unresolved).toEqual([{ path: ['spec', 'variables', 1, 'value'], reason: 'held' }]);
  });

  it('takes the template-declared secrets of an environment into account', () => {
    const environment = { spec: { variables: [{ name: 'replicas', value: '2' }] } };
    const sent = { spec: { variables: [{ name: 'replicas', value: MASK }] } };
    expect(unmaskFrom(sent, environment, new Set([ALL_SENSITIVE]))).toEqual({ document: environment, unresolved: [] });
    expect(unmaskFrom(sent, environment).unresolved).toEqual([{ path: ['spec', 'variables', 0, 'value'], reason: 'not-secret' }]);
  });
});

describe('namedPath', () => {
  it('names list entries by their name, key or mount path, and falls back to the index', () => {
    expect(namedPath(held, ['spec', 'variables', 1, 'value'])).toBe('spec.variables[DB_PASS].value');
    expect(namedPath({ spec: { envs: [{ key: 'A' }] } }, ['spec', 'envs', 0, 'value'])).toBe('spec.envs[A].value');
    expect(namedPath({ spec: { args: ['x', 'y'] } }, ['spec', 'args', 1])).toBe('spec.args[1]');
  });
});
