// GitHub's REST API under nock, for the suites that test what envsync sends (the Octokit port, the
// bot's identity): no request leaves the machine, and after each test every mocked request was made
// and GitHub's own description found nothing wrong in what was sent or answered.
import nock from 'nock';
import { afterEach, beforeEach, expect } from 'vitest';

/** Registers the checks around each test; push what openapi-check finds into `problems`. */
export function checkedNock(): { problems: string[] } {
  const state = { problems: [] as string[] };
  beforeEach(() => {
    nock.disableNetConnect();
    state.problems.length = 0;
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending).toEqual([]);
    expect(state.problems).toEqual([]);
  });
  return state;
}
