// GitHub's REST API under nock, for the suites that test what envsync sends (the Octokit port, the
// bot's identity): no request leaves the machine, and after each test every mocked request was made
// and GitHub's own description found nothing wrong in what was sent or answered.
import type { Octokit } from '@octokit/core';
import nock from 'nock';
import { checkResponse } from './openapi-check.js';
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

/** Checks every answer `octokit` gets (an error answer too) against GitHub's description, into `problems`. */
export function checkAnswers(octokit: Octokit, problems: string[]): void {
  const answered = (options: Parameters<typeof octokit.request.endpoint.parse>[0], status: number, data: unknown) => {
    const { method, url } = octokit.request.endpoint.parse(options);
    problems.push(...checkResponse(method, url, status, data));
  };
  octokit.hook.after('request', (response, options) => answered(options, response.status, response.data));
  octokit.hook.error('request', (error, options) => {
    const response = (error as { response?: { status: number; data: unknown } }).response;
    if (response) answered(options, response.status, response.data);
    throw error;
  });
}
