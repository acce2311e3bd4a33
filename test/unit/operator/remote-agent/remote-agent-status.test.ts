import { describe, expect, it } from '@jest/globals';

import { CARD_STATUS_LIMITS } from '../../../../src/api/remote-agent.js';
import type { AgentCardJson } from '../../../../src/contract/agent-card.js';
import { summarizeCard } from '../../../../src/operator/remote-agent/card-summary.js';
import { computeRemoteAgentStatus, type RemoteAgentStatusInputs } from '../../../../src/operator/remote-agent/remote-agent-status.js';

const NOW = new Date('2026-12-01T10:00:00Z');
const LATER = new Date('2026-12-01T11:00:00Z');

function card(skills: number, extra: Partial<AgentCardJson> = {}): AgentCardJson {
  return {
    name: 'echo',
    description: 'Repeats.',
    version: '1.0.0',
    supportedInterfaces: [
      { url: 'http://echo/', protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      { url: 'http://echo/', protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
      { url: 'http://echo/grpc', protocolBinding: 'GRPC', protocolVersion: '1.0' },
    ],
    capabilities: {},
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: Array.from({ length: skills }, (_, i) => ({ id: `s${i}`, name: `Skill ${i}`, description: '', tags: i === 0 ? ['a', 'b'] : [] })),
    ...extra,
  };
}

const inputs = (over: Partial<RemoteAgentStatusInputs> = {}): RemoteAgentStatusInputs => ({
  generation: 3,
  acceptance: { accepted: true },
  fetch: { ok: true, summary: summarizeCard(card(1)), digest: 'd1', cardUrl: 'http://echo.ns.svc:80/.well-known/agent-card.json' },
  exposed: false,
  routed: { status: 'False', reason: 'ExposureDisabled', message: 'not exposed' },
  url: 'http://echo.ns.svc:80/',
  publicUrl: undefined,
  applyError: undefined,
  ...over,
});

const conditions = (status: ReturnType<typeof computeRemoteAgentStatus>) => Object.fromEntries(status.conditions.map((c) => [c.type, `${c.status}/${c.reason}`]));

describe('summarizeCard', () => {
  it('keeps name, description, version, the protocol versions once each and skills with their tags', () => {
    expect(summarizeCard(card(2))).toEqual({
      card: { name: 'echo', description: 'Repeats.', version: '1.0.0', protocolVersions: ['1.0', '0.3'], skills: [{ id: 's0', name: 'Skill 0', tags: ['a', 'b'] }, { id: 's1', name: 'Skill 1' }] },
      skillCount: 2,
    });
  });

  it('bounds what it keeps: skills, tags and long strings, and counts every skill', () => {
    const huge = card(500, { description: 'x'.repeat(5000), name: 'n'.repeat(1000) });
    const first = huge.skills[0];
    if (first) first.tags = Array.from({ length: 100 }, (_, i) => `tag-${i}`);
    const summary = summarizeCard(huge);
    expect(summary.skillCount).toBe(500);
    expect(summary.card.skills).toHaveLength(CARD_STATUS_LIMITS.skills);
    expect(summary.card.skills[0]?.tags).toHaveLength(CARD_STATUS_LIMITS.tags);
    expect(summary.card.name).toHaveLength(CARD_STATUS_LIMITS.shortText);
    expect(summary.card.name.endsWith('…')).toBe(true);
    expect(summary.card.description).toHaveLength(CARD_STATUS_LIMITS.description);
    expect(JSON.stringify(summary).length).toBeLessThan(16 * 1024);
  });
});

describe('computeRemoteAgentStatus', () => {
  it('is Ready with a valid card when not exposed, and publishes the card', () => {
    const status = computeRemoteAgentStatus(inputs(), {}, NOW);
    expect(conditions(status)).toEqual({ Accepted: 'True/Valid', Reachable: 'True/CardFetched', CardValid: 'True/CardParsed', Routed: 'False/ExposureDisabled', Ready: 'True/Available' });
    expect(status).toMatchObject({ observedGeneration: 3, url: 'http://echo.ns.svc:80/', skillCount: 1, cardDigest: 'd1', card: { name: 'echo' } });
  });

  it('waits for Routed when exposed', () => {
    const status = computeRemoteAgentStatus(inputs({ exposed: true, routed: { status: 'Unknown', reason: 'GatewayNotReporting', message: 'no status yet' } }), {}, NOW);
    expect(conditions(status).Ready).toBe('False/GatewayNotReporting');
    const routed = computeRemoteAgentStatus(inputs({ exposed: true, routed: { status: 'True', reason: 'RouteAccepted', message: 'ok' }, publicUrl: 'https://gw/agents/ns/echo/' }), {}, NOW);
    expect(conditions(routed).Ready).toBe('True/Available');
    expect(routed.publicUrl).toBe('https://gw/agents/ns/echo/');
  });

  it('reports a failed read on Reachable and an invalid card on CardValid, keeping the last card read', () => {
    const previous = computeRemoteAgentStatus(inputs(), {}, NOW);
    const unreachable = computeRemoteAgentStatus(inputs({ fetch: { ok: false, condition: 'Reachable', reason: 'Timeout', message: 'no answer within 10 s' } }), previous, LATER);
    expect(conditions(unreachable)).toMatchObject({ Reachable: 'False/Timeout', CardValid: 'Unknown/NotFetched', Ready: 'False/CardUnavailable' });
    expect(unreachable.card).toEqual(previous.card);
    const invalid = computeRemoteAgentStatus(inputs({ fetch: { ok: false, condition: 'CardValid', reason: 'InvalidCard', message: 'skills: expected array' } }), previous, LATER);
    expect(conditions(invalid)).toMatchObject({ Reachable: 'True/CardFetched', CardValid: 'False/InvalidCard', Ready: 'False/CardUnavailable' });
  });

  it('is the same status for the same card read again: nothing to write', () => {
    const first = computeRemoteAgentStatus(inputs(), {}, NOW);
    expect(computeRemoteAgentStatus(inputs(), first, LATER)).toEqual(first);
  });

  it('names the refusal and reads nothing when not accepted', () => {
    const status = computeRemoteAgentStatus(
      inputs({ acceptance: { accepted: false, reason: 'HostNotAllowed', message: 'spec.url: x is not in remoteAgents.allowedHosts' }, fetch: undefined, routed: undefined, url: undefined }),
      {},
      NOW,
    );
    expect(conditions(status)).toEqual({ Accepted: 'False/HostNotAllowed', Reachable: 'Unknown/NotFetched', CardValid: 'Unknown/NotFetched', Ready: 'False/NotAccepted' });
    expect(status.url).toBeUndefined();
  });
});
