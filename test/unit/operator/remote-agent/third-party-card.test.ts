// Cards from other A2A servers: Agentry's own 1.0 shape, 1.0 as the SDKs write it (protobuf JSON
// leaves empty fields out), and 0.3 mapped to 1.0, with problems named at their path as served.
import { describe, expect, it } from '@jest/globals';
import { AgentCard } from '@a2a-js/sdk';
import { LegacyJsonRpcTransportHandler } from '@a2a-js/sdk/compat/v0_3/server';
import { DefaultRequestHandler, InMemoryTaskStore, JsonRpcTransportHandler, ServerCallContext, UnauthenticatedUser } from '@a2a-js/sdk/server';

import { readAgentCard } from '../../../../src/operator/remote-agent/third-party-card.js';
import { defaultCard } from '../../../harness/test-a2a-server.js';

/** A 0.3 card as the a2a-samples servers publish it. */
const LEGACY_CARD = {
  name: 'Currency Agent',
  description: 'Helps with exchange rates for currencies',
  url: 'http://currency.example:10000/',
  version: '1.0.0',
  protocolVersion: '0.3.0',
  preferredTransport: 'JSONRPC',
  additionalInterfaces: [{ url: 'http://currency.example:10001/', transport: 'GRPC' }],
  capabilities: { streaming: true, pushNotifications: true },
  supportsAuthenticatedExtendedCard: false,
  defaultInputModes: ['text', 'text/plain'],
  defaultOutputModes: ['text', 'text/plain'],
  skills: [{ id: 'convert_currency', name: 'Currency Exchange Rates Tool', description: 'Helps with exchange values between currencies', tags: ['currency conversion'], examples: ['What is exchange rate between USD and GBP?'] }],
  security: [{ oauth: [] }],
};

function problemOf(raw: unknown): string {
  const reading = readAgentCard(raw);
  if (reading.ok) throw new Error('expected a problem');
  return reading.problem;
}

/** The card an @a2a-js/sdk server hands out (as its extended card): 1.0 as protobuf JSON, and 0.3 from its compat layer. */
async function cardsTheSdkServes(card: Record<string, unknown>): Promise<{ v1: unknown; v03: unknown }> {
  const agentCard = AgentCard.fromJSON({ ...card, capabilities: { streaming: true, extendedAgentCard: true } });
  const idle = { execute: () => Promise.resolve(), cancelTask: () => Promise.resolve() };
  const handler = new DefaultRequestHandler(agentCard, new InMemoryTaskStore(), idle, undefined, undefined, undefined, agentCard);
  const context = (version: string) => new ServerCallContext({ user: new UnauthenticatedUser(), requestedVersion: version });
  const request = (method: string) => ({ jsonrpc: '2.0', id: 1, method, params: {} });
  const resultOf = (response: unknown) => (typeof response === 'object' && response !== null && 'result' in response ? response.result : response);
  return {
    v1: resultOf(await new JsonRpcTransportHandler(handler).handle(request('GetExtendedAgentCard'), context('1.0'))),
    v03: resultOf(await new LegacyJsonRpcTransportHandler(handler).handle(request('agent/getAuthenticatedExtendedCard'), context('0.3'))),
  };
}

describe('readAgentCard', () => {
  it('reads the cards @a2a-js/sdk itself serves, 1.0 and 0.3, as the same card', async () => {
    const card = { ...defaultCard('sdk', 'http://sdk.team.svc:8080/'), skills: [{ id: 'plain', name: 'Plain', description: '', tags: [] }] };
    const { v1, v03 } = await cardsTheSdkServes(card);
    // The SDK's 1.0 JSON leaves the empty description and tags out, its 0.3 card has url at the top.
    expect(v1).toMatchObject({ skills: [{ id: 'plain', name: 'Plain' }] });
    expect(v1).not.toHaveProperty('skills.0.tags');
    expect(v03).toMatchObject({ url: 'http://sdk.team.svc:8080/', protocolVersion: '0.3' });
    const fromV1 = readAgentCard(v1);
    const fromV03 = readAgentCard(v03);
    if (!fromV1.ok || !fromV03.ok) throw new Error(JSON.stringify([fromV1, fromV03]));
    expect(fromV1.card.skills).toEqual(card.skills);
    expect(fromV03.card.skills).toEqual(card.skills);
    expect(fromV1.card.supportedInterfaces.map((i) => i.protocolVersion)).toEqual(['1.0', '0.3']);
    expect(fromV03.card.supportedInterfaces[0]).toEqual({ url: 'http://sdk.team.svc:8080/', protocolBinding: 'JSONRPC', protocolVersion: '0.3' });
  });

  it('reads a 1.0 card as it is', () => {
    const card = defaultCard('weather', 'http://127.0.0.1:9/');
    const reading = readAgentCard(card);
    expect(reading).toEqual({ ok: true, legacy: false, card });
  });

  it('reads a 1.0 card the SDK wrote with protobuf JSON, empty fields left out', () => {
    const written = AgentCard.toJSON(
      AgentCard.fromJSON({
        name: 'sparse',
        description: '',
        version: '1',
        supportedInterfaces: [{ url: 'https://sparse.example/', protocolBinding: 'JSONRPC', protocolVersion: '1.0' }],
        capabilities: {},
        defaultInputModes: [],
        defaultOutputModes: [],
        skills: [{ id: 'a', name: 'A', description: '', tags: [] }],
      }),
    );
    expect(written).not.toHaveProperty('description');
    const reading = readAgentCard(written);
    expect(reading.ok && reading.card).toMatchObject({ name: 'sparse', description: '', defaultInputModes: [], skills: [{ id: 'a', description: '', tags: [] }] });
    expect(readAgentCard({ name: 'bare', version: '1', supportedInterfaces: [{ url: 'https://b.example/', protocolBinding: 'JSONRPC', protocolVersion: '1.0' }] })).toMatchObject({
      ok: true,
      card: { skills: [], capabilities: {} },
    });
  });

  it('maps a 0.3 card to supportedInterfaces, keeping every other field', () => {
    const reading = readAgentCard(LEGACY_CARD);
    if (!reading.ok) throw new Error(reading.problem);
    expect(reading.legacy).toBe(true);
    expect(reading.card.supportedInterfaces).toEqual([
      { url: 'http://currency.example:10000/', protocolBinding: 'JSONRPC', protocolVersion: '0.3.0' },
      { url: 'http://currency.example:10001/', protocolBinding: 'GRPC', protocolVersion: '0.3.0' },
    ]);
    expect(reading.card.capabilities).toEqual({ streaming: true, pushNotifications: true, extendedAgentCard: false });
    expect(reading.card.skills[0]?.examples).toEqual(['What is exchange rate between USD and GBP?']);
    expect(reading.card).toHaveProperty('security', [{ oauth: [] }]);
    expect(reading.card).not.toHaveProperty('url');
    expect(reading.card).not.toHaveProperty('preferredTransport');
  });

  it('a 0.3 card without protocolVersion or preferredTransport is JSON-RPC 0.3', () => {
    const { protocolVersion: _v, preferredTransport: _t, additionalInterfaces: _a, ...plain } = LEGACY_CARD;
    const reading = readAgentCard(plain);
    expect(reading.ok && reading.card.supportedInterfaces).toEqual([{ url: 'http://currency.example:10000/', protocolBinding: 'JSONRPC', protocolVersion: '0.3' }]);
  });

  it('names a problem of a 0.3 card at its path in the card served', () => {
    const { url: _url, ...withoutUrl } = LEGACY_CARD;
    expect(problemOf({ ...withoutUrl, protocolVersion: '0.3.0' })).toMatch(/^url: /);
    expect(problemOf({ ...LEGACY_CARD, additionalInterfaces: [{ url: 'http://x/' }] })).toMatch(/^additionalInterfaces\[0\]\.transport: /);
    expect(problemOf({ ...LEGACY_CARD, additionalInterfaces: ['http://x/'] })).toMatch(/^additionalInterfaces\[0\]: /);
    expect(problemOf({ ...LEGACY_CARD, skills: [{ id: 7, name: 'n' }] })).toMatch(/^skills\[0\]\.id: /);
  });

  it('names the first problem of a 1.0 card at its path', () => {
    const card = defaultCard('weather', 'http://127.0.0.1:9/');
    expect(problemOf({ ...card, supportedInterfaces: [{ url: 'http://x/', protocolBinding: 'JSONRPC' }] })).toMatch(/^supportedInterfaces\[0\]\.protocolVersion: /);
    expect(problemOf({ ...card, name: '' })).toMatch(/^name: /);
    expect(problemOf({ ...card, skills: 'none' })).toMatch(/^skills: /);
    expect(problemOf({ name: 'x', version: '1' })).toMatch(/^supportedInterfaces: /);
  });

  it.each([
    [[], 'the card is an array, not a JSON object'],
    [null, 'the card is null, not a JSON object'],
    ['card', 'the card is a string, not a JSON object'],
    [42, 'the card is a number, not a JSON object'],
  ])('refuses %j', (raw, problem) => {
    expect(problemOf(raw)).toBe(problem);
  });
});
