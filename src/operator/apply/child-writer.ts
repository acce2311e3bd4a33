// Carries out what write-decision.ts decided, and nothing else: every write the operator makes to a
// child goes through here. A create is a create (POST): if an object of that name appeared since the
// cache was read, the API server refuses it and nothing is taken over. A patch is a server-side apply
// that carries the live object's uid: if the object was replaced, the API server refuses it (the uid
// is immutable) rather than applying over the new one. A delete carries the uid as a precondition.
//
// Server-side apply never removes a field another manager set, so a field someone added to a
// security field (a capability beside our `drop: [ALL]`, an ingress rule) is then removed by a JSON
// patch that tests the uid and resourceVersion the apply returned (write-decision.ts securityRepairs).
//
// A child made by a create has its fields recorded under an Update entry of the operator's field
// manager; server-side apply only removes fields its Apply entry owns, so before the first apply that
// changes what the operator wants, that entry is turned into an Apply entry (what kubectl does when
// it upgrades client-side-applied objects), or a field the operator stopped setting would stay.
import { OwnWrites, writtenObjectKey } from '../../controller/own-writes.js';
import type { KubeClient } from '../../kube/kube-client.js';
import { KubeApiError } from '../../kube/kube-api-error.js';
import { isRecord, type KubeObject } from '../../kube/kube-object.js';
import { asFieldSet, unionFieldSets, type FieldSet } from '../owned-fields.js';
import { APPLIED_HASH_ANNOTATION, FIELD_MANAGER, securityRepairs, type WriteDecision, type WrittenVersion } from './write-decision.js';

export type CreateResult = { created: true; object: KubeObject } | { created: false; exists: true };
export type PatchResult = { patched: true; object: KubeObject } | { patched: false; replaced: true };

type PatchDecision = Extract<WriteDecision, { action: 'patch' }>;

interface ManagedFieldsEntry {
  manager?: unknown;
  operation?: unknown;
  apiVersion?: unknown;
  fieldsType?: unknown;
  fieldsV1?: unknown;
  subresource?: unknown;
  time?: unknown;
}

export class ChildWriter {
  /** The uid and resourceVersion each of the operator's last writes returned, by child. */
  private readonly written = new OwnWrites<{ appliedHash: string | undefined }>();

  constructor(private readonly client: KubeClient) {}

  /** What the operator's last write of this child returned, if it is remembered. */
  lastWritten(obj: KubeObject): WrittenVersion | undefined {
    return this.written.get(obj);
  }

  /**
   * Whether a watch event's object is just what the operator's last write of it left (own-writes.ts),
   * or an object appearing under a name the operator is creating: its create's echo, or someone
   * else's object, in which case the create fails and the reconcile comes back (agent-reconciler.ts).
   */
  isOwnWrite(obj: KubeObject): boolean {
    return this.written.isEcho(obj) || this.written.isWriting(obj);
  }

  /** Forgets a child's last write (its cache entry has caught up, or it is gone). */
  forget(obj: KubeObject): void {
    this.written.forget(obj);
  }

  async create(desired: KubeObject): Promise<CreateResult> {
    // Only creates are marked in flight: any event under the name meanwhile is the create's echo
    // or makes it fail. A patch's is told by the version it returns.
    return this.written.writing(desired, async (): Promise<CreateResult> => {
      try {
        const object = await this.client.create(desired, { fieldManager: FIELD_MANAGER });
        this.remember(object);
        return { created: true, object };
      } catch (err) {
        if (KubeApiError.isConflict(err)) return { created: false, exists: true };
        throw err;
      }
    });
  }

  async patch(decision: PatchDecision): Promise<PatchResult> {
    try {
      if (decision.upgradeManagedFields) await this.upgradeManagedFields(decision.desired);
      let object = await this.client.apply(decision.desired, { fieldManager: FIELD_MANAGER, force: true });
      // A security field another manager added beside ours survives an apply: remove it.
      const repairs = securityRepairs(decision.desired, object);
      if (repairs.length > 0) {
        object = await this.client.patch(
          object,
          [{ op: 'test', path: '/metadata/uid', value: object.metadata.uid }, { op: 'test', path: '/metadata/resourceVersion', value: object.metadata.resourceVersion }, ...repairs],
          'json',
          { fieldManager: FIELD_MANAGER },
        );
      }
      this.remember(object);
      return { patched: true, object };
    } catch (err) {
      // 422 "metadata.uid: field is immutable", 409 a failed JSON-patch test, 404 gone: the object
      // the decision was about is no longer there. The watch brings the news and a new decision.
      if (err instanceof KubeApiError && (err.statusCode === 422 || err.statusCode === 409 || err.statusCode === 404)) {
        this.forget(decision.desired);
        return { patched: false, replaced: true };
      }
      throw err;
    }
  }

  /** Deletes `obj` if it still has its uid; false when it was gone or replaced. */
  async delete(obj: KubeObject): Promise<boolean> {
    this.forget(obj);
    const uid = obj.metadata.uid;
    if (!uid) throw new Error(`refusing to delete ${writtenObjectKey(obj)} without knowing its uid`);
    try {
      return await this.client.delete(obj, { preconditionUid: uid });
    } catch (err) {
      if (KubeApiError.isConflict(err)) return false; // a precondition failed: not the object we own
      throw err;
    }
  }

  /**
   * Turns the operator's Update entries (left by its create) into one Apply entry per API version,
   * so the next apply may remove fields the create set. The JSON patch tests the uid and the
   * resourceVersion read: it changes nothing but managedFields, and only of the object just read.
   */
  private async upgradeManagedFields(desired: KubeObject): Promise<void> {
    const { namespace, name, uid } = desired.metadata;
    const live = await this.client.get(desired.apiVersion, desired.kind, namespace, name);
    if (live.metadata.uid !== uid) throw new KubeApiError(409, 'Conflict', `${writtenObjectKey(desired)} was replaced`, undefined, 'GET', '');
    const entries = (live.metadata.managedFields ?? []).filter(isRecord) as ManagedFieldsEntry[];
    const ours = (e: ManagedFieldsEntry) => e.manager === FIELD_MANAGER && (e.subresource ?? '') === '' && e.fieldsType === 'FieldsV1';
    if (!entries.some((e) => ours(e) && e.operation === 'Update')) return;
    const merged = new Map<string, FieldSet>();
    for (const e of entries.filter(ours)) {
      const apiVersion = typeof e.apiVersion === 'string' ? e.apiVersion : desired.apiVersion;
      merged.set(apiVersion, unionFieldSets(merged.get(apiVersion) ?? {}, asFieldSet(e.fieldsV1)));
    }
    const upgraded = [
      ...entries.filter((e) => !ours(e)),
      ...[...merged].map(([apiVersion, fieldsV1]) => ({ manager: FIELD_MANAGER, operation: 'Apply', apiVersion, fieldsType: 'FieldsV1', fieldsV1 })),
    ];
    await this.client.patch(
      desired,
      [
        { op: 'test', path: '/metadata/uid', value: uid },
        { op: 'test', path: '/metadata/resourceVersion', value: live.metadata.resourceVersion },
        { op: 'replace', path: '/metadata/managedFields', value: upgraded },
      ],
      'json',
      { fieldManager: FIELD_MANAGER },
    );
  }

  private remember(object: KubeObject): void {
    this.written.record(object, { appliedHash: object.metadata.annotations?.[APPLIED_HASH_ANNOTATION] });
  }
}
