// `spec.exposure`: how an agent is reached. Unset fields take their defaults from the operator's
// configuration (the gateway, the path template, network policy).
import { z } from 'zod';

import { celRule } from './cel-rule.js';
import { isCidr, isNetworkAddress, parseCidr } from './cidr.js';
import { int32 } from './integer-formats.js';
import { listSet } from './kubernetes-lists.js';
import { dns1123Label, labelMap } from './kubernetes-names.js';

// Mirrors the Gateway API's rules for an HTTPRoute PathPrefix value, so that a path accepted here is
// never rejected when the operator writes the HTTPRoute.
export const pathPrefixSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/, {
    message: "must consist of URL path characters (letters, digits, -._~!$&'()*+,;=:@/ and %-escapes)",
  })
  .check(
    celRule<string>({
      rule: "self.startsWith('/')",
      message: "pathPrefix must start with '/'",
      holds: (p) => p.startsWith('/'),
    }),
    celRule<string>({
      rule: "!self.endsWith('/')",
      message: "pathPrefix must not end with '/' (and must not be '/' alone, which would claim the whole gateway)",
      holds: (p) => !p.endsWith('/'),
    }),
    celRule<string>({
      rule: "!self.contains('//') && !self.contains('/./') && !self.contains('/../') && !self.endsWith('/.') && !self.endsWith('/..')",
      message: "pathPrefix must not contain empty, '.' or '..' segments",
      holds: (p) => !p.includes('//') && !p.includes('/./') && !p.includes('/../') && !p.endsWith('/.') && !p.endsWith('/..'),
    }),
    celRule<string>({
      rule: "!self.contains('%2f') && !self.contains('%2F')",
      message: "pathPrefix must not contain an encoded '/' (%2F)",
      holds: (p) => !p.toLowerCase().includes('%2f'),
    }),
  );

// The Gateway API's Hostname: a lowercase DNS name, optionally with a leading '*.' wildcard label.
export const gatewayHostnameSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    message: "must be a lowercase DNS name such as agents.example.com, optionally starting with '*.'",
  });

export const gatewayExposureSchema = z
  .object({
    enabled: z
      .boolean()
      .optional()
      .describe('Route this agent through the gateway. Unset: the operator configuration decides (by default, agents with a2aConfig are exposed).'),
    pathPrefix: pathPrefixSchema
      .optional()
      .describe('Path on the gateway; /agents/{namespace}/{name} by default. Only honoured when the operator configuration allows custom prefixes.'),
    hostnames: z
      .array(gatewayHostnameSchema)
      .max(16)
      .check(listSet<string>())
      .optional()
      .describe("Hostnames of the HTTPRoute; the operator configuration's hostnames by default."),
  })
  .describe('Exposure through the agent gateway (an HTTPRoute).');

export const cidrSchema = z
  .string()
  .min(1)
  .max(43) // the longest IPv6 address (39) plus '/128'
  .check(
    celRule<string>({
      rule: 'isCIDR(self)',
      message: 'cidr must be a valid IPv4 or IPv6 CIDR, such as 10.0.0.0/8 or fd00::/8',
      holds: isCidr,
    }),
    celRule<string>({
      rule: '!isCIDR(self) || cidr(self) == cidr(self).masked()',
      message: 'cidr must not have bits set after the prefix length: write its network address, such as 10.0.0.0/8 rather than 10.1.2.3/8',
      holds: (text) => {
        const parsed = parseCidr(text);
        return parsed === undefined || isNetworkAddress(parsed);
      },
    }),
  );

export const networkPortSchema = z.object({
  port: int32().min(1).max(65535).describe('Destination port.'),
  protocol: z.enum(['TCP', 'UDP']).optional().describe('TCP (the default) or UDP.'),
});

export const networkPolicyExposureSchema = z
  .object({
    enabled: z.boolean().optional().describe("Render a NetworkPolicy for the agent. Unset: the operator configuration decides (on by default)."),
    ingressFrom: z
      .array(
        z.object({
          namespace: dns1123Label().describe('Namespace allowed to reach the agent port.'),
          podLabels: labelMap(16).optional().describe('Only pods with these labels; all pods of the namespace when unset.'),
        }),
      )
      .max(16)
      .optional()
      .describe("Extra sources allowed to reach the agent, besides the gateway. The operator configuration decides which namespaces may be named."),
    egressTo: z
      .array(
        z.object({
          cidr: cidrSchema.describe('Destination network, such as 10.0.0.0/8.'),
          ports: z.array(networkPortSchema).max(16).optional().describe('Destination ports; all ports when unset.'),
        }),
      )
      .max(32)
      .optional()
      .describe("Extra destinations the agent may reach, besides DNS and the operator configuration's model endpoints."),
  })
  .describe('The NetworkPolicy around the agent pods.');

export const agentExposureSchema = z
  .object({
    gateway: gatewayExposureSchema.optional(),
    networkPolicy: networkPolicyExposureSchema.optional(),
  })
  .describe('How the agent is reached; unset fields take their defaults from the operator configuration.');
export type AgentExposure = z.output<typeof agentExposureSchema>;
