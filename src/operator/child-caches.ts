// The two caches of every child kind (child-projection.ts says what each holds), behind the two
// questions the reconciler asks: what is there under a child's name (LiveChild, for the write
// decision), and which objects name this Agent's uid as their owner (for pruning and cleanup).
import type { KubeObject } from '../kube/kube-object.js';
import type { LiveChild } from './apply/write-decision.js';
import { BY_OWNER_UID } from './cache-indexes.js';
import type { ChildKind } from './child-kinds.js';
import { isIdentityOnly } from './child-projection.js';
import type { InformerSet } from './informer-set.js';

export class ChildCaches {
  /**
   * @param content the caches of objects labelled as Agentry's (content for owned ones, identity otherwise)
   * @param identities the caches of every object of each kind, as identity, indexed by BY_OWNER_UID
   */
  constructor(
    private readonly content: InformerSet,
    private readonly identities: InformerSet,
  ) {}

  live(apiVersion: string, kind: string, namespace: string, name: string): LiveChild {
    const identity = this.identities.get(apiVersion, kind, namespace, name);
    const cached = this.content.get(apiVersion, kind, namespace, name);
    const content = cached && !isIdentityOnly(cached) ? cached : undefined;
    const known = identity ?? cached;
    return { ...(known && { identity: known }), ...(content && { content }) };
  }

  /** The objects of these kinds that name `uid` as their owner (not yet checked against their namespace). */
  ownedBy(uid: string, kinds: readonly ChildKind[]): KubeObject[] {
    return kinds.flatMap((k) => this.identities.byIndex(k.apiVersion, k.kind, BY_OWNER_UID, uid));
  }
}
