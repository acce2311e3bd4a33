// What a task's failure says about a model call that went wrong: the HTTP status (and how many
// attempts were made), the provider's own short message, never the request (which carries the
// system message) and never a secret (every message is scrubbed).
import { APICallError, RetryError } from 'ai';

const MAX_DETAIL = 300;

export function describeModelError(err: unknown, scrub: (text: string) => string, timeoutMs: number): string {
  const attempts = RetryError.isInstance(err) ? err.errors.length : 1;
  const last = RetryError.isInstance(err) ? err.lastError : err;
  const suffix = attempts > 1 ? ` after ${attempts} attempts` : '';
  if (APICallError.isInstance(last)) {
    const status = last.statusCode !== undefined ? `HTTP ${last.statusCode}` : 'no HTTP status';
    return scrub(`the model call failed with ${status}${suffix}: ${shorten(providerMessage(last))}`);
  }
  if (last instanceof Error && (last.name === 'TimeoutError' || /timed? ?out/i.test(last.message))) {
    return `the model did not answer within ${Math.round(timeoutMs / 1000)}s${suffix}`;
  }
  const text = last instanceof Error ? last.message : String(last);
  return scrub(`the model call failed${suffix}: ${shorten(text)}`);
}

/** The provider's error message from the response body when it has the usual shape, else the SDK's. */
function providerMessage(err: APICallError): string {
  const body = err.data;
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const inner = body.error;
    if (typeof inner === 'object' && inner !== null && 'message' in inner && typeof inner.message === 'string') return inner.message;
  }
  return err.message;
}

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_DETAIL ? `${oneLine.slice(0, MAX_DETAIL)}…` : oneLine;
}
