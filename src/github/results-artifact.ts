// The results a runner uploads (`envsync-results.json`, zipped by GitHub as an artifact), read
// back with limits: the archive comes from a workflow that anyone with write access can change,
// so its size and shape are checked before anything is recorded.
import { unzipSync } from 'fflate';
import { RESULTS_FILE, resultsProblem, type RunResults } from '../runner/contract.js';

const MAX_RESULTS_BYTES = 5 * 1024 * 1024;

export class ResultsError extends Error {}

export function readResultsArtifact(zip: Uint8Array): RunResults {
  let files: Record<string, Uint8Array>;
  try {
    // Only the results file is inflated, and only when its declared size is within the limit.
    files = unzipSync(zip, { filter: (f) => f.name === RESULTS_FILE && f.originalSize <= MAX_RESULTS_BYTES });
  } catch (e) {
    throw new ResultsError(`the results artifact is not a zip archive: ${(e as Error).message}`);
  }
  const bytes = files[RESULTS_FILE];
  if (!bytes) throw new ResultsError(`the results artifact holds no ${RESULTS_FILE} of at most ${MAX_RESULTS_BYTES} bytes`);
  if (bytes.length > MAX_RESULTS_BYTES) throw new ResultsError(`${RESULTS_FILE} is larger than ${MAX_RESULTS_BYTES} bytes`);
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ResultsError(`${RESULTS_FILE} is not JSON`);
  }
  const problem = resultsProblem(data);
  if (problem) throw new ResultsError(problem);
  return data as RunResults;
}
