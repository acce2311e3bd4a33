// helm template / lint of the chart with the helm the harness builds (hack/binaries.sh helm).
import { join } from 'node:path';

import type { KubeObject } from '../../../../src/kube/kube-object.js';
import { binary } from '../../../harness/cluster.js';
import { parseManifests } from './manifests.js';
import { CHART_DIR, HELM_FIXTURES_DIR, pinnedVersion } from './paths.js';
import { runTool, runToolOk, type ToolResult } from './run-tool.js';

export const SERVICE_MONITOR_API = 'monitoring.coreos.com/v1/ServiceMonitor';

export interface TemplateOptions {
  release?: string;
  namespace?: string;
  /** Files under test/fixtures/helm/, or absolute paths. */
  values?: string[];
  /** --set-json key=value pairs. */
  setJson?: Record<string, unknown>;
  /** Extra API versions the "cluster" serves (helm template's --api-versions). */
  apiVersions?: string[];
}

let helmPath: Promise<string> | undefined;

/** Located once per test file: hack/binaries.sh takes a moment even when everything is built. */
export function helmBinary(): Promise<string> {
  helmPath ??= binary('helm', 'HELM');
  return helmPath;
}

function valuesPath(file: string): string {
  return file.startsWith('/') ? file : join(HELM_FIXTURES_DIR, file);
}

export function templateArgs(options: TemplateOptions = {}): string[] {
  return [
    'template',
    options.release ?? 'agentry',
    CHART_DIR,
    '--namespace',
    options.namespace ?? 'agentry-system',
    // The Kubernetes version the test control plane runs (hack/versions.env), rather than the one
    // helm assumes without a cluster (that of the client-go it was built with).
    '--kube-version',
    pinnedVersion('KUBERNETES_VERSION'),
    ...(options.values ?? []).flatMap((f) => ['--values', valuesPath(f)]),
    ...Object.entries(options.setJson ?? {}).flatMap(([k, v]) => ['--set-json', `${k}=${JSON.stringify(v)}`]),
    ...(options.apiVersions ?? []).flatMap((a) => ['--api-versions', a]),
  ];
}

/** The chart's rendered objects (CRDs excluded, as `helm template` without --include-crds). */
export async function helmTemplate(options: TemplateOptions = {}): Promise<KubeObject[]> {
  return parseManifests(await runToolOk(await helmBinary(), templateArgs(options)), 'helm template');
}

export async function helmTemplateResult(options: TemplateOptions = {}): Promise<ToolResult> {
  return runTool(await helmBinary(), templateArgs(options));
}

export async function helmLint(values: string[] = []): Promise<ToolResult> {
  return runTool(await helmBinary(), ['lint', '--strict', CHART_DIR, ...values.flatMap((f) => ['--values', valuesPath(f)])]);
}

/**
 * Environment for helm against the test control plane: its kubeconfig, and cache, config and
 * discovery directories of its own (a stale discovery cache would hide a CRD installed a moment
 * ago from .Capabilities).
 */
export function helmEnv(stateDir: string): NodeJS.ProcessEnv {
  const kubeconfig = process.env.KUBECONFIG;
  if (!kubeconfig) throw new Error('KUBECONFIG is not set');
  return {
    ...process.env,
    KUBECONFIG: kubeconfig,
    HELM_CACHE_HOME: join(stateDir, 'cache'),
    HELM_CONFIG_HOME: join(stateDir, 'config'),
    HELM_DATA_HOME: join(stateDir, 'data'),
    KUBECACHEDIR: join(stateDir, 'kube-cache'),
  };
}

/** Runs helm against the cluster; fails with its output unless it exits 0. */
export async function helmCli(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<string> {
  return runToolOk(await helmBinary(), args, { env, timeoutMs });
}
