// Checks of the agent container's resources that the API server applies to the Deployment but the
// Agent's schema does not: without them an Agent with `requests.cpu: 2, limits.cpu: 1` would be
// accepted, its ServiceAccount and ConfigMap applied, and then its Deployment refused, leaving the
// Agent half-applied. Render reports them (InvalidSpec) before anything is applied.
//
// The rules are Kubernetes' ValidateResourceRequirements for containers: names are standard resources
// or extended ones (a domain other than kubernetes.io); a request is at most its limit; extended
// resources are whole numbers, cannot be overcommitted (request equal to limit) and need a limit.
import type { ResourceRequirements } from '../api/agent-deployment.js';
// The operator's quantity parser: render needs the same understanding of "2Gi" and "0.5" as the
// applier that compares quantities.
import { parseQuantity } from '../kube/quantity.js';
import { quantityText } from './quantity-text.js';
import { ConditionReason } from '../api/condition.js';
import { RenderRejection } from './render-result.js';

const STANDARD_RESOURCES: readonly string[] = ['cpu', 'memory', 'ephemeral-storage'];
const FIELD = 'spec.deployment.resources';

export function checkResourceRequirements(resources: ResourceRequirements | undefined): void {
  const limits = amounts(resources?.limits, 'limits');
  const requests = amounts(resources?.requests, 'requests');
  for (const [name, limit] of limits) {
    if (isExtended(name) && !Number.isInteger(limit)) reject(`${FIELD}.limits[${name}]: an extended resource must be a whole number`);
  }
  for (const [name, request] of requests) {
    const limit = limits.get(name);
    if (isExtended(name)) {
      if (!Number.isInteger(request)) reject(`${FIELD}.requests[${name}]: an extended resource must be a whole number`);
      if (limit === undefined) reject(`${FIELD}.limits[${name}]: an extended resource that is requested must also have a limit`);
      else if (!nearlyEqual(request, limit)) reject(`${FIELD}.requests[${name}]: an extended resource cannot be overcommitted: the request must equal the limit`);
    } else if (limit !== undefined && request > limit && !nearlyEqual(request, limit)) {
      reject(`${FIELD}.requests[${name}]: the request must not exceed the limit (${quantityText(resources?.limits?.[name] ?? '')})`);
    }
  }
}

function amounts(map: Readonly<Record<string, number | string>> | undefined, field: 'limits' | 'requests'): Map<string, number> {
  const parsed = new Map<string, number>();
  for (const [name, value] of Object.entries(map ?? {})) {
    if (!STANDARD_RESOURCES.includes(name) && !name.startsWith('hugepages-') && !isExtended(name)) {
      reject(`${FIELD}.${field}[${name}]: must be cpu, memory, ephemeral-storage, hugepages-<size> or an extended resource such as nvidia.com/gpu`);
    }
    const amount = parseQuantity(quantityText(value));
    if (amount === undefined) reject(`${FIELD}.${field}[${name}]: ${JSON.stringify(value)} is not a quantity`);
    else parsed.set(name, amount);
  }
  return parsed;
}

/** A resource with a domain prefix other than kubernetes.io (and its subdomains), such as nvidia.com/gpu. */
function isExtended(name: string): boolean {
  const slash = name.indexOf('/');
  if (slash < 0) return false;
  const domain = name.slice(0, slash);
  return domain !== 'kubernetes.io' && !domain.endsWith('.kubernetes.io');
}

// Quantities are parsed to floating point: "100m" and "0.1" must still compare equal.
function nearlyEqual(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(Math.abs(a), Math.abs(b)) * 1e-12;
}

function reject(message: string): never {
  throw new RenderRejection(ConditionReason.InvalidSpec, message);
}
