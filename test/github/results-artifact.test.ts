// Results read back from a runner's artifact: only a well-formed results file of bounded size.
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readResultsArtifact } from '../../src/github/results-artifact.js';

const zipOf = (files: Record<string, string>) => zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, new TextEncoder().encode(v)])));
const good = { project: 'p', environment: 'e', action: 'deploy', revision: 'r', status: 'success', activities: [{ id: 'a', status: 'success' }], outputs: {} };

describe('readResultsArtifact', () => {
  it('reads the results file of the archive', () => {
    expect(readResultsArtifact(zipOf({ 'envsync-results.json': JSON.stringify(good), 'other.txt': 'x' }))).toEqual(good);
  });

  it.each([
    ['bytes that are not a zip archive', new TextEncoder().encode('not a zip'), 'the results artifact is not a zip archive'],
    ['an archive without the results file', zipOf({ 'other.json': '{}' }), 'the results artifact holds no envsync-results.json of at most 5242880 bytes'],
    ['a results file that is not JSON', zipOf({ 'envsync-results.json': '{oops' }), 'envsync-results.json is not JSON'],
    ['JSON of another shape', zipOf({ 'envsync-results.json': JSON.stringify({ ...good, status: 'great' }) }), 'envsync-results.json is not the results of an envsync run'],
    ['a results file over 5 MiB (it inflates from a few KiB)', zipOf({ 'envsync-results.json': ' '.repeat(6 * 1024 * 1024) }), 'the results artifact holds no envsync-results.json of at most 5242880 bytes'],
  ])('refuses %s', (_name, zip, message) => {
    expect(() => readResultsArtifact(zip)).toThrow(message);
  });
});
