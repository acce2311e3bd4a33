// Reads multi-document YAML (helm template, kustomize build, the Flux examples) into objects.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { parseAllDocuments } from 'yaml';

import type { KubeObject } from '../../../../src/kube/kube-object.js';

/** Every object in a YAML stream, as kubectl reads it (YAML 1.1); empty documents are skipped. */
export function parseManifests(text: string, source = 'manifest'): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const [i, doc] of parseAllDocuments(text, { version: '1.1' }).entries()) {
    if (doc.errors.length > 0) throw new Error(`${source} (document ${i + 1}): ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || !('kind' in value) || !('apiVersion' in value)) throw new Error(`${source} (document ${i + 1}) is not a Kubernetes object`);
    objects.push(value as KubeObject);
  }
  return objects;
}

/** The objects of every .yaml file under `dir`, each tagged with its file for messages. */
export function readManifestTree(dir: string): { file: string; object: KubeObject }[] {
  const out: { file: string; object: KubeObject }[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...readManifestTree(path));
    else if (name.endsWith('.yaml')) out.push(...parseManifests(readFileSync(path, 'utf8'), path).map((object) => ({ file: path, object })));
  }
  return out;
}

export function objectName(o: KubeObject): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

export function findObject(objects: readonly KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? ` ${name}` : ''} among ${objects.map(objectName).join(', ')}`);
  return found;
}
