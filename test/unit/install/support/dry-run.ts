// Server-side dry runs through the JSON client, with strict field validation: an unknown or
// misspelt field is an error, not a warning (a dry-run create would otherwise drop it silently).
import type { KubeClient } from '../../../../src/kube/kube-client.js';
import type { KubeObject } from '../../../../src/kube/kube-object.js';
import { resourcePath } from '../../../../src/kube/resource-mapper.js';
import { objectName } from './manifests.js';

const FIELD_MANAGER = 'agentry-install-test';

/** dryRun=All server-side apply (creates or updates nothing). */
export async function dryRunApply(client: KubeClient, obj: KubeObject): Promise<KubeObject> {
  const info = await client.resource(obj.apiVersion, obj.kind);
  try {
    return (await client.request('PATCH', resourcePath(info, obj.metadata.namespace, obj.metadata.name), {
      body: obj,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: FIELD_MANAGER, force: true, dryRun: 'All', fieldValidation: 'Strict' },
    })) as KubeObject;
  } catch (err) {
    throw new Error(`dry-run apply of ${objectName(obj)}: ${(err as Error).message}`, { cause: err });
  }
}

/** dryRun=All create: also runs the admission that only creates see. */
export async function dryRunCreate(client: KubeClient, obj: KubeObject): Promise<KubeObject> {
  const info = await client.resource(obj.apiVersion, obj.kind);
  try {
    return (await client.request('POST', resourcePath(info, obj.metadata.namespace), {
      body: obj,
      query: { fieldManager: FIELD_MANAGER, dryRun: 'All', fieldValidation: 'Strict' },
    })) as KubeObject;
  } catch (err) {
    throw new Error(`dry-run create of ${objectName(obj)}: ${(err as Error).message}`, { cause: err });
  }
}
