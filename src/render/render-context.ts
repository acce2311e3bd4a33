// Everything the object builders need, resolved once from validated input: the builders then only
// translate, and every decision (ports, exposure, whether the agent speaks A2A) is made in one place.
import type { Agent } from '../api/agent.js';
import type { ModelConfig } from '../api/model-config.js';
import type { OperatorConfig } from '../config/operator-config.js';
import type { OwnerReference } from '../kube/kube-object.js';
import type { ResolvedTools } from './agent-tools.js';
import type { GatewayExposure } from './gateway-exposure.js';

export interface RenderContext {
  /** Validated: defaults applied, every rule of the schema holds. */
  readonly agent: Agent;
  readonly name: string;
  readonly namespace: string;
  /** The Agent's ModelConfig, validated; only for Declarative agents. */
  readonly modelConfig: ModelConfig | undefined;
  readonly config: OperatorConfig;
  /** Present when the agent speaks A2A (`spec.a2aConfig` is set). */
  readonly speaksA2A: boolean;
  /** The port the agent container listens on: 8080 for the runtime, `byo.port` for BYO. */
  readonly containerPort: number;
  readonly exposure: GatewayExposure;
  /** The Declarative agent's tools, resolved (empty for BYO agents). */
  readonly tools: ResolvedTools;
  /** The Agents that call this one as a tool and that its NetworkPolicy admits, sorted. */
  readonly callers: readonly { namespace: string; name: string }[];
  /** Absent when the Agent has no uid (rendered from a file): children then carry no ownerReference. */
  readonly ownerReference: OwnerReference | undefined;
}
