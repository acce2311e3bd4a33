import type { KubeObject } from '../kube/kube-object.js';

/**
 * The boundary between the informer and the API server. The informer only needs these two calls,
 * so tests drive it with an in-memory fake and production uses KubeListWatch.
 */
export interface ListResult {
  items: KubeObject[];
  /** The collection's resourceVersion, from which a watch continues without gaps. */
  resourceVersion: string;
  /** The items are what list's `transform` returned (see ListWatch.list). */
  transformed?: boolean;
}

export type WatchEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject }
  /** A progress marker: nothing changed, but the watch has seen everything up to this version. */
  | { type: 'BOOKMARK'; resourceVersion: string };

export interface WatchHandle {
  /** Ends the watch. `onDone` is not called for a watch ended this way. */
  stop(): void;
}

export interface ListWatch {
  /**
   * Lists the collection. An implementation that parses it page by page may pass each item through
   * `transform` as soon as it is parsed and keep only what that returns (undefined drops the item),
   * saying so with `transformed: true`: then a collection of large objects is never held whole, only
   * one page of them at a time. One that does not simply returns the items as they are.
   */
  list(transform?: (obj: KubeObject) => KubeObject | undefined): Promise<ListResult>;
  /**
   * Streams changes after `resourceVersion`. `onDone` is called exactly once when the stream ends
   * on its own: without an argument for a clean close (the server's watch timeout), with a
   * ResourceExpiredError when the version is too old to resume from (the caller must relist), or
   * with any other error. The returned promise resolves once the watch is established, or rejects
   * if it could not be.
   */
  watch(resourceVersion: string, onEvent: (event: WatchEvent) => void, onDone: (error?: unknown) => void): Promise<WatchHandle>;
}

/**
 * HTTP 410 Gone / reason Expired: the requested resourceVersion has been compacted away. Changes
 * between it and now are lost, so the informer must relist and diff against its cache.
 */
export class ResourceExpiredError extends Error {
  override readonly name = 'ResourceExpiredError';
}
