// What a failed task says about its model call: the HTTP status, how many attempts were made, the
// provider's own short message (scrubbed, shortened), or the timeout; never a secret.
import { describe, expect, it } from '@jest/globals';

import { APICallError, RetryError } from 'ai';

import { describeModelError } from '../../../src/runtime/model-error.js';
import { secretScrubber } from '../../../src/runtime/runtime-secrets.js';

const KEY = 'sk-live-0123456789';
const scrub = secretScrubber([KEY]);

const apiError = (statusCode: number, message: string) =>
  new APICallError({
    message: `fallback ${message}`,
    url: 'https://api.example.com/v1/chat/completions',
    requestBodyValues: { messages: [{ role: 'system', content: 'the system message' }] },
    statusCode,
    responseBody: JSON.stringify({ error: { message } }),
    data: { error: { message } },
    isRetryable: statusCode >= 500 || statusCode === 429,
  });

describe('describeModelError', () => {
  it('names the status and the provider’s message, scrubbed', () => {
    const text = describeModelError(apiError(401, `Incorrect API key provided: ${KEY}.`), scrub, 120_000);
    expect(text).toBe('the model call failed with HTTP 401: Incorrect API key provided: [redacted].');
    expect(text).not.toContain('system message');
  });

  it('after retries: the last status and the number of attempts', () => {
    const errors = [apiError(500, 'boom'), apiError(500, 'boom'), apiError(503, 'overloaded')];
    const text = describeModelError(new RetryError({ message: 'Failed after 3 attempts', reason: 'maxRetriesExceeded', errors }), scrub, 120_000);
    expect(text).toBe('the model call failed with HTTP 503 after 3 attempts: overloaded');
  });

  it('falls back to the SDK’s message when the body has no error.message', () => {
    const err = new APICallError({ message: 'Bad Gateway', url: 'u', requestBodyValues: {}, statusCode: 502, responseBody: '<html>' });
    expect(describeModelError(err, scrub, 1000)).toBe('the model call failed with HTTP 502: Bad Gateway');
  });

  it('a timeout names the limit', () => {
    // What AbortSignal.timeout() aborts with (a DOMException named TimeoutError, an Error in Node).
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    expect(describeModelError(timeout, scrub, 30_000)).toBe('the model did not answer within 30s');
  });

  it('shortens a long message to one line of at most 300 characters', () => {
    const text = describeModelError(apiError(400, `line one\n\n${'x'.repeat(1000)}`), scrub, 1000);
    expect(text).not.toContain('\n');
    expect(text.endsWith('…')).toBe(true);
    expect(text.length).toBeLessThan(400);
  });

  it('any other error: its message, scrubbed', () => {
    expect(describeModelError(new Error(`connect ECONNREFUSED, key ${KEY}`), scrub, 1000)).toBe('the model call failed: connect ECONNREFUSED, key [redacted]');
    expect(describeModelError('a string', scrub, 1000)).toBe('the model call failed: a string');
  });
});
