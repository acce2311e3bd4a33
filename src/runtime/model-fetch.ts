// The fetch every model provider is given: it times each HTTP call to the model (retries are
// separate calls) until the response headers arrive, and labels it with the outcome, so
// /metrics shows model latency and error rates per provider without touching the providers.
import type { RuntimeMetrics } from './runtime-metrics.js';

export function instrumentedModelFetch(metrics: RuntimeMetrics, provider: string, inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const end = metrics.modelRequestDuration.startTimer({ provider });
    try {
      const response = await inner(input, init);
      end({ outcome: response.ok ? 'ok' : `http_${response.status}` });
      return response;
    } catch (err) {
      end({ outcome: init?.signal?.aborted === true ? 'aborted' : 'network_error' });
      throw err;
    }
  };
}
