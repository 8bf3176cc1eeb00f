// Number settings of the server's environment: a value that is no number stops the start, naming it,
// rather than a worker that silently takes no job (NaN concurrency) or drift checks silently off.
import { expect, it } from 'vitest';
import { checkNumberSettings, numberFrom, retentionDaysFrom } from '../../src/app/index.js';

it('takes a number setting, or its default when unset or empty', () => {
  expect(numberFrom({ ENVSYNC_WORKER_CONCURRENCY: '8' }, 'ENVSYNC_WORKER_CONCURRENCY', 4)).toBe(8);
  expect(numberFrom({ ENVSYNC_WORKER_CONCURRENCY: '' }, 'ENVSYNC_WORKER_CONCURRENCY', 4)).toBe(4);
  expect(numberFrom({}, 'ENVSYNC_WORKER_CONCURRENCY', 4)).toBe(4);
});

it('refuses a setting that is no number of 0 or more, saying which and where it is documented', () => {
  expect(() => checkNumberSettings({ ENVSYNC_WORKER_CONCURRENCY: 'four' })).toThrow('ENVSYNC_WORKER_CONCURRENCY must be a number of 0 or more, not "four" (docs/guide.md, "Settings of the server")');
  expect(() => checkNumberSettings({ ENVSYNC_STOP_GRACE_SECONDS: '-1' })).toThrow('ENVSYNC_STOP_GRACE_SECONDS must be a number of 0 or more, not "-1"');
  expect(() => checkNumberSettings({ ENVSYNC_HEAVY_JOBS: 'two' })).toThrow('ENVSYNC_HEAVY_JOBS must be a number of 0 or more, not "two"');
  expect(() => checkNumberSettings({ ENVSYNC_SPEC_CACHE_MB: '1GB' })).toThrow('ENVSYNC_SPEC_CACHE_MB must be a number of 0 or more, not "1GB"');
  expect(() => checkNumberSettings({ ENVSYNC_DRIFT_MINUTES: '15', ENVSYNC_JOB_POLL_MS: '250' })).not.toThrow();
});

it('takes a retention of 0 (keep everything) or of at least the 3 days GitHub can redeliver a webhook within', () => {
  expect(retentionDaysFrom({})).toBe(30);
  expect(retentionDaysFrom({ ENVSYNC_RETENTION_DAYS: '0' })).toBe(0);
  expect(retentionDaysFrom({ ENVSYNC_RETENTION_DAYS: '3' })).toBe(3);
  expect(() => checkNumberSettings({ ENVSYNC_RETENTION_DAYS: '1' })).toThrow('ENVSYNC_RETENTION_DAYS must be 0 (keep everything) or at least 3, the days GitHub can redeliver a webhook within, not "1" (docs/guide.md, "Settings of the server")');
  expect(() => checkNumberSettings({ ENVSYNC_RETENTION_DAYS: 'month' })).toThrow('ENVSYNC_RETENTION_DAYS must be a number of 0 or more, not "month"');
});
