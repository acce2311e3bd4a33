import { describe, expect, it } from '@jest/globals';

import type { RemoteAgentSpec } from '../../../../src/api/remote-agent.js';
import { KubeApiError } from '../../../../src/kube/kube-api-error.js';
import type { KubeObject } from '../../../../src/kube/kube-object.js';
import { readFetchCredentials, type ObjectGetter } from '../../../../src/operator/remote-agent/fetch-credentials.js';

/** A GET against these objects, 404 otherwise; `forbidden` kinds answer 403. */
function getter(objects: KubeObject[], forbidden: string[] = []): ObjectGetter & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    get: <T extends KubeObject = KubeObject>(_apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<T> => {
      calls.push(`${kind}/${namespace ?? ''}/${name}`);
      if (forbidden.includes(kind)) return Promise.reject(new KubeApiError(403, 'Forbidden', `${kind} is forbidden`, undefined, 'GET', ''));
      const found = objects.find((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name);
      return found ? Promise.resolve(found as T) : Promise.reject(new KubeApiError(404, 'NotFound', 'not found', undefined, 'GET', ''));
    },
  };
}

const secret = (name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'team-a' },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});
const spec: RemoteAgentSpec = { url: 'https://agents.example.com/', headersFrom: [{ name: 'Authorization', secretKeyRef: { name: 'token', key: 'value' } }], tls: { caBundle: { configMapKeyRef: { name: 'ca', key: 'ca.crt' } } } };

describe('readFetchCredentials', () => {
  it('reads each header from its Secret and the CA bundle from its ConfigMap, in the namespace only', async () => {
    const client = getter([secret('token', { value: 'Bearer s3cret' }), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ca', namespace: 'team-a' }, data: { 'ca.crt': 'PEM' } }]);
    expect(await readFetchCredentials(client, 'team-a', spec)).toEqual({ ok: true, credentials: { headers: { Authorization: 'Bearer s3cret' }, caBundle: 'PEM' } });
    expect(client.calls).toEqual(['Secret/team-a/token', 'ConfigMap/team-a/ca']);
  });

  it('names the field of a missing Secret or key, never a value', async () => {
    expect(await readFetchCredentials(getter([]), 'team-a', spec)).toEqual({ ok: false, reason: 'SecretNotFound', message: 'spec.headersFrom[0].secretKeyRef: no Secret "token" in namespace team-a' });
    const wrongKey = await readFetchCredentials(getter([secret('token', { other: 'Bearer s3cret' })]), 'team-a', spec);
    expect(wrongKey).toEqual({ ok: false, reason: 'SecretNotFound', message: 'spec.headersFrom[0].secretKeyRef: the Secret "token" has no key "value"' });
    expect(JSON.stringify(wrongKey)).not.toContain('s3cret');
  });

  it('says so on the RemoteAgent when the operator may not read Secrets', async () => {
    const result = await readFetchCredentials(getter([], ['Secret']), 'team-a', spec);
    expect(result).toMatchObject({ ok: false, reason: 'SecretForbidden', message: expect.stringContaining('remoteAgents.headersFromSecrets') as unknown });
  });

  it('names a missing CA bundle ConfigMap', async () => {
    expect(await readFetchCredentials(getter([secret('token', { value: 'x' })]), 'team-a', spec)).toMatchObject({ ok: false, reason: 'ConfigMapNotFound', message: expect.stringContaining('spec.tls.caBundle.configMapKeyRef') as unknown });
  });
});
