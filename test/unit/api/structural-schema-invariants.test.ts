// Walks every node of the generated CRD schemas and checks what the API server (and CEL's cost
// estimator) require of them, so that a schema change that would be rejected at install time, or
// make a rule too expensive, fails here first.
import { describe, expect, it } from '@jest/globals';

import { customResourceDefinitions } from '../../../src/api/custom-resource-definitions.js';
import type { JsonSchemaProps } from '../../../src/api/structural-schema.js';

interface Visit {
  path: string;
  node: JsonSchemaProps;
  /** Whether this node is inside a subtree that a CEL rule can see (the node with the rule and everything below). */
  underRule: boolean;
}

function visit(node: JsonSchemaProps, path: string, underRule: boolean, out: Visit[]): Visit[] {
  const seenByRule = underRule || (node['x-kubernetes-validations']?.length ?? 0) > 0;
  out.push({ path, node, underRule: seenByRule });
  for (const [key, child] of Object.entries(node.properties ?? {})) visit(child, `${path}.${key}`, seenByRule, out);
  if (node.items) visit(node.items, `${path}[]`, seenByRule, out);
  if (node.additionalProperties) visit(node.additionalProperties, `${path}[*]`, seenByRule, out);
  return out;
}

const crds = customResourceDefinitions();

describe.each(crds.map((crd) => [crd.metadata.name, crd] as const))('%s', (_name, crd) => {
  const version = crd.spec.versions[0];
  if (version === undefined) throw new Error('no version');
  const root = version.schema.openAPIV3Schema;
  const nodes = visit(root, '', false, []);
  // spec and status are generated; the root's apiVersion/kind/metadata are fixed by the API server.
  const generated = nodes.filter((n) => n.path.startsWith('.spec') || n.path.startsWith('.status'));

  it('has a type or an allowed x-kubernetes marker on every node', () => {
    const untyped = nodes.filter(({ node }) => node.type === undefined && !node['x-kubernetes-int-or-string'] && !node['x-kubernetes-preserve-unknown-fields']);
    expect(untyped.map((n) => n.path)).toEqual([]);
  });

  it('uses no $ref, oneOf, anyOf, allOf, not, nullable or type arrays', () => {
    const forbidden = ['$ref', 'oneOf', 'anyOf', 'allOf', 'not', 'nullable', 'definitions'];
    const offenders = nodes.filter(({ node }) => forbidden.some((k) => k in node) || Array.isArray(node.type)).map((n) => n.path);
    expect(offenders).toEqual([]);
  });

  it('never puts additionalProperties beside properties, nor additionalProperties: false', () => {
    const offenders = nodes
      .filter(({ node }) => (node.properties !== undefined && node.additionalProperties !== undefined) || (node.additionalProperties as unknown) === false)
      .map((n) => n.path);
    expect(offenders).toEqual([]);
  });

  it('bounds every string, list and map under spec and status (CEL cost estimation needs it)', () => {
    const unbounded = generated
      .filter(({ node }) => {
        if (node.type === 'string' || node['x-kubernetes-int-or-string']) return node.maxLength === undefined && node.enum === undefined && node.format !== 'date-time';
        if (node.type === 'array') return node.maxItems === undefined;
        if (node.type === 'object' && node.additionalProperties !== undefined) return node.maxProperties === undefined;
        return false;
      })
      .map((n) => n.path);
    expect(unbounded).toEqual([]);
  });

  it('gives every string a CEL rule can see a maxLength or an enum', () => {
    const unbounded = nodes
      .filter(({ node, underRule }) => underRule && node.type === 'string' && node.maxLength === undefined && node.enum === undefined && node.format !== 'date-time')
      .map((n) => n.path);
    expect(unbounded).toEqual([]);
  });

  it('gives every CEL rule a message, and only the reasons that keep it', () => {
    const rules = nodes.flatMap(({ node, path }) => (node['x-kubernetes-validations'] ?? []).map((rule) => ({ path, ...rule })));
    for (const rule of rules) {
      expect(rule.message.length).toBeGreaterThan(0);
      expect(rule.message).not.toMatch(/\n/);
      // FieldValueDuplicate would print the value instead of the message.
      expect(['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', undefined]).toContain(rule.reason);
      if (rule.fieldPath !== undefined) expect(rule.fieldPath).toMatch(/^(\.[A-Za-z_][A-Za-z0-9_]*)+$/);
    }
  });

  it('names list-map keys that are required scalar fields of the items', () => {
    for (const { node, path } of nodes.filter(({ node }) => node['x-kubernetes-list-type'] === 'map')) {
      const items = node.items;
      expect({ path, type: items?.type }).toEqual({ path, type: 'object' });
      for (const key of node['x-kubernetes-list-map-keys'] ?? []) {
        expect({ path, key, required: items?.required?.includes(key) ?? false }).toEqual({ path, key, required: true });
        expect(['string', 'integer', 'boolean']).toContain(items?.properties?.[key]?.type);
      }
    }
  });

  it('uses list-type set only for scalar items', () => {
    for (const { node } of nodes.filter(({ node }) => node['x-kubernetes-list-type'] === 'set')) {
      expect(['string', 'integer', 'number', 'boolean']).toContain(node.items?.type);
    }
  });

  it('only uses patterns that are valid regular expressions', () => {
    for (const { node } of nodes.filter(({ node }) => node.pattern !== undefined)) {
      expect(() => new RegExp(node.pattern ?? '')).not.toThrow();
      // RE2 (the API server's engine) has no look-around and no back-references.
      expect(node.pattern).not.toMatch(/\(\?[=!<]|\\[1-9]/);
    }
  });

  it('only declares required fields that exist', () => {
    for (const { node, path } of nodes.filter(({ node }) => node.required !== undefined)) {
      for (const key of node.required ?? []) expect({ path, key, exists: key in (node.properties ?? {}) }).toEqual({ path, key, exists: true });
    }
  });

  it('is served and stored in exactly one version, with a status subresource', () => {
    expect(crd.spec.versions).toHaveLength(1);
    expect(version.served && version.storage).toBe(true);
    expect(version.subresources).toEqual({ status: {} });
    expect(root.required).toEqual(['spec']);
  });
});
