// The rules for where an agent is routed: which path it may claim, and when it is exposed at all.
import { describe, expect, it } from '@jest/globals';

import type { Agent, AgentSpec } from '../../../src/api/agent.js';
import { defaultOperatorConfig, operatorConfigSchema } from '../../../src/config/operator-config.js';
import type { OperatorConfigInput } from '../../../src/config/operator-config.js';
import { resolveGatewayExposure } from '../../../src/render/gateway-exposure.js';
import { renderInput } from '../../../src/render/render-input.js';
import { render } from '../../../src/render/render.js';
import { isWithinPrefix, resolveRoutePath } from '../../../src/render/route-path.js';

const finance = { name: 'expenses', namespace: 'finance' };
const defaults = defaultOperatorConfig().gateway;
const allowing = (allowedPathPrefixes?: string[]) => ({ ...defaults, allowCustomPathPrefix: true, allowedPathPrefixes });

describe('resolveRoutePath', () => {
  it('expands the path template when the Agent asks for nothing', () => {
    expect(resolveRoutePath(finance, undefined, defaults)).toEqual({ ok: true, path: '/agents/finance/expenses' });
    expect(resolveRoutePath(finance, undefined, { ...defaults, pathTemplate: '/{namespace}-{name}/a2a' })).toEqual({ ok: true, path: '/finance-expenses/a2a' });
  });

  it('refuses a custom prefix unless the configuration allows custom prefixes', () => {
    const result = resolveRoutePath(finance, '/expenses', defaults);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain('gateway.allowCustomPathPrefix');
    expect(!result.ok && result.message).toContain('/agents/finance/expenses');
  });

  it.each(['/', '//', '///'])('never allows %j, which would claim the whole gateway', (prefix) => {
    expect(resolveRoutePath(finance, prefix, allowing())).toMatchObject({ ok: false, message: expect.stringContaining("must not be '/'") });
  });

  it.each(['/a//b', '/a/../b', '/a/./b', '/a/..', '/a%2Fb', '/a/', 'a', '/a b', '/a#b'])('refuses the malformed prefix %j', (prefix) => {
    expect(resolveRoutePath(finance, prefix, allowing()).ok).toBe(false);
  });

  it('accepts any well-formed prefix when custom prefixes are allowed without a list', () => {
    expect(resolveRoutePath(finance, '/expenses', allowing())).toEqual({ ok: true, path: '/expenses' });
  });

  it('accepts a prefix strictly below an allowed prefix that ends with /', () => {
    const gateway = allowing(['/teams/{namespace}/']);
    expect(resolveRoutePath(finance, '/teams/finance/expenses', gateway)).toEqual({ ok: true, path: '/teams/finance/expenses' });
    expect(resolveRoutePath(finance, '/teams/finance/a/b', gateway)).toEqual({ ok: true, path: '/teams/finance/a/b' });
  });

  it.each([
    ['/teams/finance', 'the allowed area itself'],
    ['/teams/hr/expenses', "another namespace's area"],
    ['/teams/finance-evil/expenses', 'a sibling that merely shares the characters'],
    ['/teamsx/finance/expenses', 'a lookalike'],
    ['/expenses', 'outside every allowed prefix'],
  ])('refuses %j (%s)', (prefix) => {
    const result = resolveRoutePath(finance, prefix, allowing(['/teams/{namespace}/']));
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining('"/teams/finance/"') });
  });

  it('lets one of several allowed prefixes match', () => {
    const gateway = allowing(['/teams/{namespace}/', '/shared/{name}']);
    expect(resolveRoutePath(finance, '/shared/expenses', gateway)).toEqual({ ok: true, path: '/shared/expenses' });
    expect(resolveRoutePath(finance, '/shared/expenses/v2', gateway)).toEqual({ ok: true, path: '/shared/expenses/v2' });
    expect(resolveRoutePath(finance, '/shared/other', gateway).ok).toBe(false);
  });

  it("does not judge whether the path overlaps another agent's: that is the reconciler's job", () => {
    // '/agents/finance/invoices' is another agent's default path; render sees only this Agent.
    const gateway = allowing(['/agents/{namespace}/']);
    expect(resolveRoutePath(finance, '/agents/finance/invoices', gateway)).toEqual({ ok: true, path: '/agents/finance/invoices' });
  });
});

describe('isWithinPrefix', () => {
  it.each([
    ['/team-a', '/team-a', true],
    ['/team-a/x', '/team-a', true],
    ['/team-ab', '/team-a', false],
    ['/team-a', '/team-a/', false],
    ['/team-a/x', '/team-a/', true],
    ['/team-b/x', '/team-a/', false],
  ])('%j within %j: %s', (path, allowed, expected) => {
    expect(isWithinPrefix(path, allowed)).toBe(expected);
  });
});

describe('resolveGatewayExposure', () => {
  const a2a = { skills: [{ id: 'a', name: 'A' }] };
  const spec = (extra: Partial<AgentSpec> = {}): AgentSpec => ({ type: 'BYO', byo: { image: 'x', port: 8080 }, ...extra });
  const gateway = (input: NonNullable<OperatorConfigInput['gateway']> = {}) =>
    operatorConfigSchema.parse({ gateway: { parentRefs: [{ name: 'gw', namespace: 'gateway-system' }], ...input } }).gateway;

  it.each([
    ['an A2A agent, by default', spec({ a2aConfig: a2a }), gateway(), true],
    ['a non-A2A agent, by default', spec(), gateway(), false],
    ['a non-A2A agent that opts in', spec({ exposure: { gateway: { enabled: true } } }), gateway(), true],
    ['an A2A agent that opts out', spec({ a2aConfig: a2a, exposure: { gateway: { enabled: false } } }), gateway(), false],
    ['an A2A agent when the configuration does not expose by default', spec({ a2aConfig: a2a }), gateway({ enabled: false }), false],
    ['an agent that opts in when the configuration does not expose by default', spec({ exposure: { gateway: { enabled: true } } }), gateway({ enabled: false }), true],
    ['an agent that opts in when no gateway is configured', spec({ a2aConfig: a2a, exposure: { gateway: { enabled: true } } }), gateway({ parentRefs: [] }), false],
  ])('routes %s: %s', (_what, agentSpec, gatewayConfig, routed) => {
    expect(resolveGatewayExposure(finance, agentSpec, gatewayConfig).routed).toBe(routed);
  });

  it('puts the route beside the agent by default, and beside the gateway under a collision-free name when configured', () => {
    expect(resolveGatewayExposure(finance, spec({ a2aConfig: a2a }), gateway())).toMatchObject({
      routeNamespace: 'finance',
      routeName: 'expenses',
      crossNamespace: false,
    });
    expect(resolveGatewayExposure(finance, spec({ a2aConfig: a2a }), gateway({ routeNamespace: 'gateway-system' }))).toMatchObject({
      routeNamespace: 'gateway-system',
      routeName: 'expenses.finance',
      crossNamespace: true,
    });
    // A routeNamespace that happens to be the agent's own is the same-namespace case.
    expect(resolveGatewayExposure(finance, spec({ a2aConfig: a2a }), gateway({ routeNamespace: 'finance' }))).toMatchObject({
      routeName: 'expenses',
      crossNamespace: false,
    });
  });

  it("uses the Agent's hostnames over the configuration's, and none when neither sets any", () => {
    const own = spec({ a2aConfig: a2a, exposure: { gateway: { hostnames: ['mine.example.com'] } } });
    expect(resolveGatewayExposure(finance, own, gateway({ hostnames: ['all.example.com'], allowedAgentHostnames: ['*'] }))).toMatchObject({ hostnames: ['mine.example.com'] });
    // Unless the configuration lets Agents choose, a hostname is the platform's.
    expect(() => resolveGatewayExposure(finance, own, gateway({ hostnames: ['all.example.com'] }))).toThrow('gateway.allowedAgentHostnames is empty');
    expect(resolveGatewayExposure(finance, spec({ a2aConfig: a2a }), gateway({ hostnames: ['all.example.com'] }))).toMatchObject({ hostnames: ['all.example.com'] });
    expect(resolveGatewayExposure(finance, spec({ a2aConfig: a2a }), gateway())).toMatchObject({ hostnames: [] });
  });

  it("allows an Agent only the hostnames its namespace's templates give it, and their subdomains", () => {
    const allowed = gateway({ allowedAgentHostnames: ['{namespace}.agents.example.com'] });
    const withHostnames = (hostnames: string[]) => spec({ a2aConfig: a2a, exposure: { gateway: { hostnames } } });
    for (const ok of ['finance.agents.example.com', 'expenses.finance.agents.example.com', '*.finance.agents.example.com']) {
      expect(resolveGatewayExposure(finance, withHostnames([ok]), allowed)).toMatchObject({ hostnames: [ok] });
    }
    for (const refused of ['hr.agents.example.com', 'agents.example.com', '*.agents.example.com', 'xfinance.agents.example.com', 'finance.agents.example.com.evil.io']) {
      expect(() => resolveGatewayExposure(finance, withHostnames([refused]), allowed)).toThrow(`"${refused}" is not a hostname this namespace may use`);
    }
  });

  it('derives the public URL from the base URL and the path', () => {
    expect(resolveGatewayExposure(finance, spec({ a2aConfig: a2a }), gateway({ publicBaseUrl: 'https://agents.example.com/' }))).toMatchObject({
      publicUrl: 'https://agents.example.com/agents/finance/expenses/',
    });
    expect(resolveGatewayExposure(finance, spec({ a2aConfig: a2a }), gateway())).toMatchObject({ publicUrl: undefined });
  });

  it('does not judge the path prefix of an agent that is not routed', () => {
    const optedOut = spec({ a2aConfig: a2a, exposure: { gateway: { enabled: false, pathPrefix: '/expenses' } } });
    expect(resolveGatewayExposure(finance, optedOut, gateway())).toEqual({ routed: false });
  });
});

describe('render with exposure problems', () => {
  const agent = (pathPrefix: string): Agent => ({
    apiVersion: 'agentry.dev/v1alpha1',
    kind: 'Agent',
    metadata: { name: 'expenses', namespace: 'finance' },
    spec: { type: 'BYO', byo: { image: 'x', port: 8080 }, a2aConfig: { skills: [{ id: 'a', name: 'A' }] }, exposure: { gateway: { pathPrefix } } },
  });
  const config = (gateway: NonNullable<OperatorConfigInput['gateway']>) =>
    operatorConfigSchema.parse({ gateway: { parentRefs: [{ name: 'gw', namespace: 'gateway-system' }], ...gateway } });

  it('fails with InvalidExposure, and renders nothing, for a custom prefix the configuration does not allow', () => {
    expect(render(agent('/expenses'), {}, config({}))).toMatchObject({ ok: false, reason: 'InvalidExposure' });
    expect(render(agent('/teams/hr/x'), {}, config({ allowCustomPathPrefix: true, allowedPathPrefixes: ['/teams/{namespace}/'] }))).toMatchObject({
      ok: false,
      reason: 'InvalidExposure',
    });
  });

  it("reports '/' (which the schema already rejects) without rendering", () => {
    expect(renderInput(agent('/'), {}, config({ allowCustomPathPrefix: true, allowedPathPrefixes: ['/agents/'] }))).toMatchObject({ ok: false, reason: 'InvalidSpec' });
  });

  it('routes an allowed custom prefix', () => {
    const result = render(agent('/teams/finance/expenses'), {}, config({ allowCustomPathPrefix: true, allowedPathPrefixes: ['/teams/{namespace}/'] }));
    expect(result.ok && result.objects.find((o) => o.kind === 'HTTPRoute')?.spec).toMatchObject({
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/teams/finance/expenses' } }] }],
    });
  });
});
