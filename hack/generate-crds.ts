// Writes the files generated from src/ (`npm run generate`), or with --check, exits non-zero when
// any of them differs from what would be written (for CI and pre-commit):
//   crds/                             the CRDs, from the zod schemas in src/api/
//   config/helm/agentry/crds/         the same CRDs, where Helm installs them from, each starting with
//                                     `---`: `helm show crds` concatenates the files as they are
//   config/crd/bases/                 the same CRDs, for kustomize (it refuses files outside its root)
//   config/helm/agentry/values.schema.json   its `config` property: the operator configuration's
//                                     JSON Schema, from src/config/operator-config.ts (the rest of
//                                     that file is written by hand)
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { z } from 'zod';

import { CRD_DIRECTORY, crdManifests } from '../src/api/crd-manifests.js';
import { operatorConfigSchema } from '../src/config/operator-config.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const CHART_CRD_DIRECTORY = 'config/helm/agentry/crds';

/** Every directory that holds a copy of the generated CRDs (and nothing else ending in .yaml). */
export const CRD_DIRECTORIES = [CRD_DIRECTORY, CHART_CRD_DIRECTORY, 'config/crd/bases'] as const;

export const VALUES_SCHEMA = 'config/helm/agentry/values.schema.json';

export interface GeneratedFile {
  /** Relative to the repository root. */
  path: string;
  content: string;
}

type JsonSchema = { [key: string]: unknown };

/**
 * The operator configuration's JSON Schema, as the chart validates `config` with. draft-07 because
 * Helm before 3.18 (and the Helm SDK inside older Flux helm-controllers) validates with a draft-07
 * library. Every object is closed (additionalProperties: false), including the few zod objects that
 * would strip an unknown key rather than refuse it: in a values file an unknown key is a typo.
 */
export function operatorConfigValuesSchema(): JsonSchema {
  const schema = z.toJSONSchema(operatorConfigSchema, { io: 'input', target: 'draft-7', unrepresentable: 'throw' }) as JsonSchema;
  delete schema.$schema;
  return closeObjects(schema) as JsonSchema;
}

function closeObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (typeof node !== 'object' || node === null) return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) out[key] = key === 'default' || key === 'examples' ? value : closeObjects(value);
  if (out.type === 'object' && out.properties !== undefined && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/** values.schema.json as it is on disk, with `properties.config` replaced by the generated schema. */
export function valuesSchemaFile(root = ROOT): GeneratedFile {
  const path = join(root, VALUES_SCHEMA);
  const schema = JSON.parse(readFileSync(path, 'utf8')) as JsonSchema & { properties?: JsonSchema };
  if (schema.properties === undefined || typeof schema.properties !== 'object') throw new Error(`${VALUES_SCHEMA} has no properties`);
  // The hand-written description (the chart's wording) is kept; everything else is generated.
  const { description } = (schema.properties.config ?? {}) as { description?: unknown };
  const generated = operatorConfigValuesSchema();
  schema.properties.config = { ...generated, ...(typeof description === 'string' ? { description } : {}) };
  return { path: VALUES_SCHEMA, content: `${JSON.stringify(schema, null, 2)}\n` };
}

/** Every generated file, with the content `npm run generate` writes. */
export function generatedFiles(root = ROOT): GeneratedFile[] {
  const manifests = crdManifests();
  return [
    ...CRD_DIRECTORIES.flatMap((dir) =>
      manifests.map((m) => ({ path: `${dir}/${m.fileName}`, content: dir === CHART_CRD_DIRECTORY ? `---\n${m.content}` : m.content })),
    ),
    valuesSchemaFile(root),
  ];
}

/** YAML files in the CRD directories that are not generated (any more). */
export function staleFiles(root = ROOT): string[] {
  const wanted = new Set(crdManifests().map((m) => m.fileName));
  return CRD_DIRECTORIES.flatMap((dir) => {
    const abs = join(root, dir);
    if (!existsSync(abs)) return [];
    return readdirSync(abs)
      .filter((f) => f.endsWith('.yaml') && !wanted.has(f))
      .map((f) => `${dir}/${f}`);
  });
}

function main(): void {
  const check = process.argv.includes('--check');
  const files = generatedFiles();
  const stale = staleFiles();
  if (check) {
    const problems = [
      ...files.filter((f) => !existsSync(join(ROOT, f.path)) || readFileSync(join(ROOT, f.path), 'utf8') !== f.content).map((f) => `${f.path} is out of date`),
      ...stale.map((f) => `${f} is not generated any more`),
    ];
    if (problems.length > 0) {
      process.stderr.write(`${problems.join('\n')}\nRun \`npm run generate\` and commit the result.\n`);
      process.exit(1);
    }
    process.stdout.write(`${files.length} generated files are up to date\n`);
    return;
  }
  for (const f of files) {
    mkdirSync(dirname(join(ROOT, f.path)), { recursive: true });
    writeFileSync(join(ROOT, f.path), f.content);
  }
  for (const f of stale) rmSync(join(ROOT, f));
  process.stdout.write(`wrote ${files.map((f) => f.path).join(', ')}\n`);
}

// Run as a script (npm run generate), not when a test imports it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
