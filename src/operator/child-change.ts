// Which updates of a cached child concern its Agent (the Agent controller's update predicate on both
// child caches, operator.ts). A reconcile reads a child's identity (uid, owner, deletion), its owned
// fields (drift), and, for a Deployment, what the Agent's status reports of it (agent-status.ts
// deploymentReport), for an HTTPRoute its status. An update that changes none of those, only the
// resourceVersion or a step of a rollout, cannot change what the reconcile does, so it queues
// nothing: under a burst, a Deployment's four or five status updates on its way to Available were
// four or five reconciles (both caches deliver each one) of an Agent with nothing to do.
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../kube/kube-object.js';
import { deploymentReport } from './agent-status.js';

/** The object without its resourceVersion and status: what is left is what a write decision reads. */
function withoutVersionAndStatus(obj: KubeObject): KubeObject {
  const { status: _status, ...rest } = obj;
  const { resourceVersion: _resourceVersion, ...metadata } = obj.metadata;
  return { ...rest, metadata };
}

/** Whether an update changed only the object's status (and so its resourceVersion). */
export function onlyStatusChanged(oldObj: KubeObject, newObj: KubeObject): boolean {
  return isDeepStrictEqual(withoutVersionAndStatus(oldObj), withoutVersionAndStatus(newObj));
}

/** Whether the Agent's reconcile could do anything different after this update of its child. */
export function childUpdateConcernsAgent(oldObj: KubeObject, newObj: KubeObject): boolean {
  if (!onlyStatusChanged(oldObj, newObj)) return true;
  if (oldObj.status === undefined && newObj.status === undefined) return false;
  if (newObj.kind === 'Deployment') return deploymentReport(oldObj) !== deploymentReport(newObj);
  return !isDeepStrictEqual(oldObj.status, newObj.status);
}
