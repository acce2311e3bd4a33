// Agents and ModelConfigs are cached whole (render reads all of them), so what a tenant can make the
// operator hold is how many it may create (a ResourceQuota on count/agents.agentry.dev and
// count/modelconfigs.agentry.dev) times how large each may be. Their schemas bound every field, but
// together the fields still allow about the 1.5 MiB etcd takes (64 skills with 16 examples each, say),
// and metadata may carry 256 KiB of annotations. So the operator bounds them itself: an object whose
// metadata and spec are larger than the limit, as JSON, is cached as identity and status only, and
// refused (Accepted=False) with a message that says by how much.
import type { KubeObject, ObjectMeta } from '../kube/kube-object.js';
import { withoutBookkeeping } from './child-projection.js';

/** An Agent's metadata and spec, as JSON: ten times what a large real one (a long system message, twenty tools) takes. */
export const MAX_AGENT_BYTES = 256 * 1024;
/** A ModelConfig's metadata and spec, as JSON. */
export const MAX_MODEL_CONFIG_BYTES = 32 * 1024;

/** Set on the cached form of an object over its limit: its size in bytes. */
const OVERSIZE = 'oversizeBytes';

function identityOf(meta: ObjectMeta): ObjectMeta {
  const keep = ['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'finalizers'] as const;
  const out: ObjectMeta = { name: meta.name };
  for (const field of keep) if (meta[field] !== undefined) (out as Record<string, unknown>)[field] = meta[field];
  return out;
}

/** The cache transform of a kind with a size limit: the object without bookkeeping, or, over the limit, its identity, status and size. */
export function boundedSize(limitBytes: number): (obj: KubeObject) => KubeObject {
  return (obj) => {
    const lean = withoutBookkeeping(obj);
    const bytes = Buffer.byteLength(JSON.stringify({ metadata: lean.metadata, spec: lean.spec }));
    if (bytes <= limitBytes) return lean;
    return { apiVersion: obj.apiVersion, kind: obj.kind, metadata: identityOf(lean.metadata), ...(lean.status !== undefined && { status: lean.status }), [OVERSIZE]: bytes };
  };
}

/** Why a cached object is not accepted for its size, or undefined when it is within its limit. */
export function oversizeMessage(obj: KubeObject, limitBytes: number): string | undefined {
  const bytes = obj[OVERSIZE];
  if (typeof bytes !== 'number') return undefined;
  const kib = (n: number) => `${Math.ceil(n / 1024)} KiB`;
  return `the ${obj.kind} is ${kib(bytes)} (its metadata and spec as JSON); the operator accepts at most ${kib(limitBytes)}`;
}
