// a2a.appProtocol: explicit values, `none`, and `auto` through the per-gateway table, which
// docs/gateway-api.md shows.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { GATEWAY_APP_PROTOCOLS, a2aServiceAppProtocol } from '../../../src/config/app-protocol.js';
import { defaultOperatorConfig, parseOperatorConfig } from '../../../src/config/operator-config.js';

const withConfig = (yaml: string) => a2aServiceAppProtocol(parseOperatorConfig(yaml));

describe('a2a.appProtocol', () => {
  it('defaults to auto, which is kgateway.dev/a2a without a controllerName', () => {
    expect(defaultOperatorConfig().a2a.appProtocol).toBe('auto');
    expect(a2aServiceAppProtocol(defaultOperatorConfig())).toBe('kgateway.dev/a2a');
    expect(withConfig('gateway: {controllerName: example.com/gateway}')).toBe('kgateway.dev/a2a');
  });

  it('auto follows gateway.controllerName', () => {
    expect(withConfig('gateway: {controllerName: traefik.io/gateway-controller}')).toBeUndefined();
    expect(withConfig('gateway: {controllerName: istio.io/gateway-controller}')).toBeUndefined();
    expect(withConfig('gateway: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}')).toBeUndefined();
    expect(withConfig('gateway: {controllerName: kgateway.dev/kgateway}')).toBe('kgateway.dev/a2a');
    expect(withConfig('gateway: {controllerName: agentgateway.dev/agentgateway}')).toBe('kgateway.dev/a2a');
  });

  it('an explicit value wins; none writes none', () => {
    expect(withConfig('a2a: {appProtocol: agentgateway.dev/a2a}\ngateway: {controllerName: traefik.io/gateway-controller}')).toBe('agentgateway.dev/a2a');
    expect(withConfig('a2a: {appProtocol: none}\ngateway: {controllerName: kgateway.dev/kgateway}')).toBeUndefined();
    expect(withConfig('a2a: {appProtocol: http}')).toBe('http');
    expect(() => withConfig('a2a: {appProtocol: "not a/valid/name"}')).toThrow(/a2a\.appProtocol/);
  });

  it('is documented in docs/gateway-api.md, row for row', () => {
    const docs = readFileSync(fileURLToPath(new URL('../../../docs/gateway-api.md', import.meta.url)), 'utf8');
    for (const g of GATEWAY_APP_PROTOCOLS) {
      expect(docs).toContain(`| ${g.gateway} | \`${g.controllerName}\` | ${g.appProtocol === undefined ? 'none' : `\`${g.appProtocol}\``} |`);
    }
  });
});
