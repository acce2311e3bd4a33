// The chart's and kustomize's RBAC rules are generated from src/operator/rbac-requirements.ts
// (hack/generate-rbac.ts, `npm run generate`). This fails when a committed file is stale or was
// edited by hand; every check reads the files as committed, since that is what helm and kustomize
// install. (rbac.test.ts checks what the chart renders from them in each of its modes.)
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

import { ROOT } from '../../../hack/generate-crds.js';
import { CHART_RBAC_TEMPLATE, KUSTOMIZE_RBAC_DIRECTORY, rbacFiles } from '../../../hack/generate-rbac.js';
import { LEADER_ELECTION_RULES, REMOTE_AGENT_SECRET_RULES, ROUTE_NAMESPACE_RULES, SECRET_METADATA_RULES, USER_ROLES, WATCHED_NAMESPACE_RULES, type PolicyRule } from '../../../src/operator/rbac-requirements.js';

const HOW_TO_FIX = 'run `npm run generate` and commit the result';

const committed = (path: string): string => {
  const abs = join(ROOT, path);
  if (!existsSync(abs)) throw new Error(`${path} is missing: ${HOW_TO_FIX}`);
  return readFileSync(abs, 'utf8');
};

/** The body of each `{{- define "name" -}} ... {{- end -}}` of the committed chart template. */
function committedDefines(): Map<string, string> {
  const defines = new Map<string, string>();
  for (const [, name = '', body = ''] of committed(CHART_RBAC_TEMPLATE).matchAll(/\{\{- define "([^"]+)" -\}\}\n([\s\S]*?)\{\{- end -\}\}/g)) defines.set(name, body);
  return defines;
}

const plain = (rules: readonly PolicyRule[]): unknown => JSON.parse(JSON.stringify(rules));

describe('generated RBAC', () => {
  it.each(rbacFiles().map((f) => [f.path, f.content] as const))('%s is committed as generated', (path, content) => {
    if (committed(path) !== content) throw new Error(`${path} differs from what hack/generate-rbac.ts writes (stale, or edited by hand): ${HOW_TO_FIX}`);
  });

  it("the chart's templates hold exactly the source's rules and aggregation labels", () => {
    const defines = committedDefines();
    const yaml = (name: string): unknown => parse(defines.get(name) ?? 'null');
    expect(yaml('agentry.watchedNamespaceRules')).toEqual(plain(WATCHED_NAMESPACE_RULES));
    expect(yaml('agentry.routeNamespaceRules')).toEqual(plain(ROUTE_NAMESPACE_RULES));
    expect(yaml('agentry.leaderElectionRules')).toEqual(plain(LEADER_ELECTION_RULES));
    for (const role of USER_ROLES) {
      expect(yaml(`agentry.userRole.${role.suffix}.rules`)).toEqual(plain(role.rules));
      expect(yaml(`agentry.userRole.${role.suffix}.labels`)).toEqual(Object.fromEntries(role.aggregateTo.map((r) => [`rbac.authorization.k8s.io/aggregate-to-${r}`, 'true'])));
    }
  });

  it('the kustomize roles hold exactly the source rules, and the kustomization lists every one of them', () => {
    const rules = (file: string): unknown => (parse(committed(`${KUSTOMIZE_RBAC_DIRECTORY}/${file}`)) as { rules?: unknown }).rules;
    expect(rules('role.yaml')).toEqual(plain(WATCHED_NAMESPACE_RULES));
    expect(rules('leader_election_role.yaml')).toEqual(plain(LEADER_ELECTION_RULES));
    expect(rules('secret_metadata_role.yaml')).toEqual(plain(SECRET_METADATA_RULES));
    expect(rules('remote_agent_secret_role.yaml')).toEqual(plain(REMOTE_AGENT_SECRET_RULES));
    for (const role of USER_ROLES) expect(rules(`user_${role.suffix}_role.yaml`)).toEqual(plain(role.rules));

    // Every one but the Secrets' metadata and values, which only pods.secretReferences.requiredLabel
    // and remoteAgents.headersFromSecrets need.
    const { resources } = parse(committed(`${KUSTOMIZE_RBAC_DIRECTORY}/kustomization.yaml`)) as { resources: string[] };
    const generated = rbacFiles()
      .filter((f) => f.path.startsWith(`${KUSTOMIZE_RBAC_DIRECTORY}/`))
      .map((f) => f.path.slice(KUSTOMIZE_RBAC_DIRECTORY.length + 1));
    expect(generated.filter((f) => !resources.includes(f))).toEqual(['secret_metadata_role.yaml', 'remote_agent_secret_role.yaml']);
    expect(resources).not.toContain('secret_metadata_role_binding.yaml');
    expect(resources).not.toContain('remote_agent_secret_role_binding.yaml');
  });
});
