// The CustomResourceDefinitions of Agentry's API, built from the zod schemas. hack/generate-crds.ts
// writes them to crds/; tests and the Helm chart tooling call these functions directly.
import type { z } from 'zod';

import { AGENT_NAME_MAX_LENGTH, agentNameSchema, agentSpecSchema, agentStatusSchema } from './agent.js';
import { API_CATEGORIES, API_GROUP, API_VERSION, AGENT_RESOURCE, MODEL_CONFIG_RESOURCE, REMOTE_AGENT_RESOURCE } from './group-version.js';
import type { ResourceNames } from './group-version.js';
import { modelConfigSpecSchema, modelConfigStatusSchema } from './model-config.js';
import { REMOTE_AGENT_NAME_MAX_LENGTH, remoteAgentNameSchema, remoteAgentSpecSchema, remoteAgentStatusSchema } from './remote-agent.js';
import { toStructuralSchema } from './structural-schema.js';
import type { JsonSchemaProps } from './structural-schema.js';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string };
  spec: {
    group: string;
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames: string[]; categories: string[] };
    scope: 'Namespaced';
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources: { status: Record<string, never> };
      additionalPrinterColumns: PrinterColumn[];
      schema: { openAPIV3Schema: JsonSchemaProps };
    }[];
  };
}

interface ResourceDefinition {
  names: ResourceNames;
  description: string;
  metadata: JsonSchemaProps;
  spec: z.core.$ZodType;
  status: z.core.$ZodType;
  printerColumns: PrinterColumn[];
}

const AGE_COLUMN: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

function customResourceDefinition(resource: ResourceDefinition): CustomResourceDefinition {
  const openAPIV3Schema: JsonSchemaProps = {
    description: resource.description,
    type: 'object',
    properties: {
      apiVersion: {
        description: 'APIVersion defines the versioned schema of this representation of an object.',
        type: 'string',
      },
      kind: {
        description: 'Kind is a string value representing the REST resource this object represents.',
        type: 'string',
      },
      metadata: resource.metadata,
      spec: toStructuralSchema(resource.spec, 'spec'),
      // An object from the start, before the operator's first status write: a health check can ask
      // has(status.observedGeneration) instead of failing on a missing `status` (Flux's CEL
      // healthCheckExprs do: docs/flux.md).
      status: { ...toStructuralSchema(resource.status, 'status'), default: {} },
    },
    required: ['spec'],
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${resource.names.plural}.${API_GROUP}` },
    spec: {
      group: API_GROUP,
      names: {
        kind: resource.names.kind,
        listKind: resource.names.listKind,
        plural: resource.names.plural,
        singular: resource.names.singular,
        shortNames: [...resource.names.shortNames],
        categories: [...API_CATEGORIES],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: API_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: resource.printerColumns,
          schema: { openAPIV3Schema },
        },
      ],
    },
  };
}

export function agentCustomResourceDefinition(): CustomResourceDefinition {
  return customResourceDefinition({
    names: AGENT_RESOURCE,
    description:
      'An Agent is an A2A agent run by Agentry: either a declarative agent on the Agentry runtime or your own image (BYO). ' +
      'Agentry creates its ServiceAccount, ConfigMap, Deployment, Service, HTTPRoute and NetworkPolicy.',
    // The API server lets a CRD constrain only metadata.name (and generateName). Children are named
    // after the Agent, one of them a Service: see AGENT_NAME_MAX_LENGTH for the 52.
    metadata: {
      type: 'object',
      properties: {
        name: {
          ...toStructuralSchema(agentNameSchema, 'metadata.name'),
          description: `A DNS-1035 label of at most ${AGENT_NAME_MAX_LENGTH} characters: the agent's children (a Service among them) are named after it.`,
        },
      },
    },
    spec: agentSpecSchema,
    status: agentStatusSchema,
    printerColumns: [
      { name: 'Type', type: 'string', jsonPath: '.spec.type', description: 'Declarative or BYO.' },
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status', description: 'Status of the Ready condition.' },
      { name: 'URL', type: 'string', jsonPath: '.status.url', description: 'In-cluster A2A endpoint.' },
      AGE_COLUMN,
    ],
  });
}

export function modelConfigCustomResourceDefinition(): CustomResourceDefinition {
  return customResourceDefinition({
    names: MODEL_CONFIG_RESOURCE,
    description: 'A ModelConfig names a model and how to reach it; declarative Agents in the same namespace refer to it by name.',
    metadata: { type: 'object' },
    spec: modelConfigSpecSchema,
    status: modelConfigStatusSchema,
    printerColumns: [
      { name: 'Provider', type: 'string', jsonPath: '.spec.provider' },
      { name: 'Model', type: 'string', jsonPath: '.spec.model' },
      AGE_COLUMN,
    ],
  });
}

export function remoteAgentCustomResourceDefinition(): CustomResourceDefinition {
  return customResourceDefinition({
    names: REMOTE_AGENT_RESOURCE,
    description:
      'A RemoteAgent registers an A2A server Agentry does not run, behind a Service in its namespace or at a URL. ' +
      'Agentry reads its agent card, publishes its skills in status, and can route it through the gateway (an HTTPRoute).',
    metadata: {
      type: 'object',
      properties: {
        name: {
          ...toStructuralSchema(remoteAgentNameSchema, 'metadata.name'),
          description: `A DNS-1035 label of at most ${REMOTE_AGENT_NAME_MAX_LENGTH} characters: an ExternalName Service may be named after it.`,
        },
      },
    },
    spec: remoteAgentSpecSchema,
    status: remoteAgentStatusSchema,
    printerColumns: [
      { name: 'Skills', type: 'integer', jsonPath: '.status.skillCount', description: 'Number of skills on the agent card.' },
      { name: 'Reachable', type: 'string', jsonPath: '.status.conditions[?(@.type=="Reachable")].status', description: 'Whether the agent card could be read.' },
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status', description: 'Status of the Ready condition.' },
      { name: 'URL', type: 'string', jsonPath: '.status.url', description: 'The A2A endpoint.' },
      AGE_COLUMN,
    ],
  });
}

/** Every CRD of the API, in a stable order. */
export function customResourceDefinitions(): CustomResourceDefinition[] {
  return [agentCustomResourceDefinition(), modelConfigCustomResourceDefinition(), remoteAgentCustomResourceDefinition()];
}
