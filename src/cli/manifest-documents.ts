// The objects in a manifest file as `kubectl apply -f` reads it: YAML (one or more documents) or JSON,
// a `List` (what `kubectl get -o yaml` prints) opened into its items. Each object keeps where it came
// from (`all.yaml (document 2): items[0]`) for messages. Text in, objects out: no I/O. Shared by
// `agentry render` and `agentry convert`.
import { parseAllDocuments } from 'yaml';

import { isRecord } from '../kube/kube-object.js';

export interface Located<T> {
  /** `file.yaml`, `file.yaml (document 2)`, `file.yaml: items[3]`. */
  location: string;
  value: T;
}

export interface ManifestDocuments {
  objects: Located<unknown>[];
  /** Syntax errors, located; a document with errors yields no object. */
  errors: string[];
}

export function readManifestDocuments(text: string, name: string): ManifestDocuments {
  const objects: Located<unknown>[] = [];
  const errors: string[] = [];
  const documents = parseAllDocuments(text, { uniqueKeys: true });
  if (!Array.isArray(documents)) return { objects, errors }; // an empty stream: no documents at all
  documents.forEach((document, index) => {
    const where = documents.length > 1 ? `${name} (document ${index + 1})` : name;
    if (document.errors.length > 0) {
      for (const error of document.errors) errors.push(`${where}: ${error.message}`);
      return;
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) return; // an empty document (a trailing `---`)
    const items = listItems(value);
    if (items === undefined) objects.push({ location: where, value });
    else items.forEach((item, i) => objects.push({ location: `${where}: items[${i}]`, value: item }));
  });
  return { objects, errors };
}

/** The items of a `List`, or undefined for a single object. */
function listItems(value: unknown): unknown[] | undefined {
  if (!isRecord(value) || typeof value.kind !== 'string' || !value.kind.endsWith('List')) return undefined;
  return Array.isArray(value.items) ? value.items : undefined;
}
