import { describe, expect, it } from '@jest/globals';
import { Counter, Histogram, Registry } from 'prom-client';
import { delta, parsePrometheusText, samplesOf, sumBy, sumOf } from '../../../../hack/metrics/prometheus-text.js';

const TEXT = `# HELP rest_client_requests_total Requests.
# TYPE rest_client_requests_total counter
rest_client_requests_total{code="200",method="PATCH"} 7
rest_client_requests_total{code="201",method="PATCH"} 2
rest_client_requests_total{code="201",method="POST"} 1 1700000000000
reconcile_seconds_bucket{le="+Inf"} 3
odd{msg="a \\"quoted\\" line\\nand a back\\\\slash, {braces}"} -Inf
up 1
`;

describe('parsePrometheusText', () => {
  it('reads names, labels (unescaped), values and optional timestamps; skips comments and blanks', () => {
    const samples = parsePrometheusText(TEXT);
    expect(samples).toHaveLength(6);
    expect(samples[2]).toEqual({ name: 'rest_client_requests_total', labels: { code: '201', method: 'POST' }, value: 1 });
    expect(samplesOf(samples, 'reconcile_seconds_bucket')).toEqual([{ name: 'reconcile_seconds_bucket', labels: { le: '+Inf' }, value: 3 }]);
    expect(samplesOf(samples, 'odd')).toEqual([{ name: 'odd', labels: { msg: 'a "quoted" line\nand a back\\slash, {braces}' }, value: -Infinity }]);
    expect(samplesOf(samples, 'up')).toEqual([{ name: 'up', labels: {}, value: 1 }]);
  });

  it('refuses what is not the text format', () => {
    expect(() => parsePrometheusText('<html>not found</html>')).toThrow(/not a Prometheus sample line/);
  });

  it('reads what prom-client serves', async () => {
    const registry = new Registry();
    const counter = new Counter({ name: 'requests_total', help: 'h', labelNames: ['method'], registers: [registry] });
    const histogram = new Histogram({ name: 'latency_seconds', help: 'h', buckets: [0.1, 1], registers: [registry] });
    counter.inc({ method: 'GET' }, 2);
    counter.inc({ method: 'PATCH' });
    histogram.observe(0.5);
    const samples = parsePrometheusText(await registry.metrics());
    expect(sumOf(samples, 'requests_total')).toBe(3);
    expect(sumOf(samples, 'latency_seconds_bucket', { le: '+Inf' })).toBe(1);
    expect(sumOf(samples, 'latency_seconds_sum')).toBe(0.5);
  });
});

describe('sums', () => {
  const samples = parsePrometheusText(TEXT);

  it('sums the samples whose labels include the ones asked for (0 for none)', () => {
    expect(sumOf(samples, 'rest_client_requests_total')).toBe(10);
    expect(sumOf(samples, 'rest_client_requests_total', { method: 'PATCH' })).toBe(9);
    expect(sumOf(samples, 'rest_client_requests_total', { method: 'DELETE' })).toBe(0);
  });

  it('groups by one label, and subtracts groupings key by key', () => {
    const after = sumBy(samples, 'rest_client_requests_total', 'method');
    expect(after).toEqual({ PATCH: 9, POST: 1 });
    expect(delta(after, { PATCH: 4, GET: 2 })).toEqual({ PATCH: 5, POST: 1, GET: -2 });
  });
});
