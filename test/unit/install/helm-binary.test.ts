// The helm that hack/binaries.sh builds is stamped the way helm's own Makefile stamps a release:
// its version, and the Kubernetes version it assumes when there is no cluster to ask. Built without
// those flags it claimed v1.20, so `helm template config/helm/agentry` (kubeVersion >=1.29) failed
// for anyone following the README unless they knew to pass --kube-version.
import { describe, expect, it } from '@jest/globals';

import { helmBinary } from './support/helm.js';
import { CHART_DIR, pinnedVersion } from './support/paths.js';
import { runTool } from './support/run-tool.js';

describe('the helm hack/binaries.sh builds', () => {
  it('renders the chart without --kube-version', async () => {
    const result = await runTool(await helmBinary(), ['template', 'agentry', CHART_DIR]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toContain('kind: Deployment');
  });

  it('reports the pinned helm version', async () => {
    const result = await runTool(await helmBinary(), ['version', '--template', '{{ .Version }}']);
    expect(result.stdout).toBe(pinnedVersion('HELM_VERSION'));
  });
});
