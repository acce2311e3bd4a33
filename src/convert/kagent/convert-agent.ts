// A kagent Agent → an Agentry Agent. Declarative agents keep their instructions, model, tools, A2A
// skills and pod settings but move onto Agentry's runtime; BYO agents keep their image. Every field
// is either carried over or reported; an Agent Agentry cannot take at all (a name it refuses, no
// system message, no image) is left out, and the report says so.
import type { z } from 'zod';

import type { A2ASkill } from '../../api/a2a-config.js';
import { a2aSkillSchema } from '../../api/a2a-config.js';
import { agentNameSchema, agentSpecSchema, declarativeAgentSchema as agentryDeclarativeSchema, systemMessageFromSchema } from '../../api/agent.js';
import { containerImage } from '../../api/container-image.js';
import { GROUP_VERSION } from '../../api/group-version.js';
import { validateAgent } from '../../api/validation.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { sortKeysDeep } from '../../render/sorted-keys.js';
import { fitAgentry } from '../agentry-fit.js';
import type { FieldPath, ObjectReport } from '../conversion-report.js';
import { isUnset, reportUnknownFields } from '../unconverted-fields.js';
import { convertDeployment } from './convert-deployment.js';
import { convertMetadata } from './convert-metadata.js';
import type { ConvertedMetadata } from './convert-metadata.js';
import { convertTools } from './convert-tools.js';
import type { KagentA2AConfig, KagentAgent, KagentDeclarativeAgent } from './kagent-agent.js';
import { agentSpecSchema as kagentSpecSchema, byoAgentSchema, declarativeAgentSchema, kagentA2AConfigSchema, KAGENT_DEFAULT_RUNTIME } from './kagent-agent.js';
import { KAGENT_DEFAULT_MODEL_CONFIG } from './kagent-api.js';
import { byoDeploymentSchema, declarativeDeploymentSchema } from './kagent-deployment.js';
import type { ByoDeployment } from './kagent-deployment.js';
import { objectKey } from './kagent-inputs.js';
import type { KagentInputs } from './kagent-inputs.js';

type AgentSpecInput = z.input<typeof agentSpecSchema>;
type DeclarativeInput = z.input<typeof agentryDeclarativeSchema>;

export const LEFT_OUT = 'the Agent was left out of the output';

const WHY = {
  skills: 'Agentry loads no skills (container images or git repositories mounted under /skills)',
  sandbox: 'Agentry runs no sandboxed code execution',
  allowedNamespaces:
    'Agentry decides which Agents may call Agents in other namespaces in the operator configuration (tools.allowCrossNamespaceReferences), not on the Agent called',
  runtime: "Agentry runs every Declarative Agent on its own runtime (agentry runtime), not on kagent's ADK",
  promptTemplate:
    'Agentry does not template system messages: the system message was copied as it is, so its {{include ...}} and {{.AgentName}}-style directives would reach the model unexpanded; expand them and put the result in systemMessage (or in the ConfigMap systemMessageFrom names)',
  executeCodeBlocks: 'Agentry does not run code the model writes (kagent ran it in a privileged sandbox)',
  memory: "Agentry keeps no long-term memory: tasks and contexts live in the runtime's bounded memory",
  context: 'Agentry does not compact or summarise the conversation history',
  noSystemMessage: 'no systemMessage or systemMessageFrom: kagent cannot run such an Agent either, and Agentry requires one',
  noImage: 'not set: Agentry runs a BYO Agent from its image',
  noA2A:
    'not set: kagent serves every Agent over A2A (at /api/a2a/{namespace}/{name} on its controller), but an Agentry Agent speaks A2A (the A2A appProtocol on its Service, a gateway route, callable by other Agents) only with spec.a2aConfig, which publishes at least one skill: add spec.a2aConfig.skills if anything calls this agent over A2A',
} as const;

const declarativeField = agentryDeclarativeSchema.shape;

export function convertAgent(agent: KagentAgent, report: ObjectReport, inputs: KagentInputs): KubeObject | undefined {
  const metadata = convertMetadata(agent.metadata, agentNameSchema, report);
  if (metadata === undefined) return leftOut(report);
  const spec = agent.spec;
  reportUnknownFields(report, ['spec'], spec, kagentSpecSchema);
  if (!isUnset(spec.skills)) report.notConverted(['spec', 'skills'], WHY.skills);
  if (!isUnset(spec.sandbox)) report.notConverted(['spec', 'sandbox'], WHY.sandbox);
  if (!isUnset(spec.allowedNamespaces)) report.notConverted(['spec', 'allowedNamespaces'], WHY.allowedNamespaces);

  const converted: AgentSpecInput = { type: spec.type };
  if (!isUnset(spec.description)) converted.description = fitAgentry(agentSpecSchema.shape.description.unwrap(), spec.description, ['spec', 'description'], report);

  if (spec.type === 'Declarative') {
    if (!isUnset(spec.byo)) report.notConverted(['spec', 'byo'], 'the Agent is Declarative: kagent ignores byo too');
    if (spec.declarative === undefined || !convertDeclarative(spec.declarative, metadata, converted, report, inputs)) return leftOut(report);
  } else {
    if (!isUnset(spec.declarative)) report.notConverted(['spec', 'declarative'], 'the Agent is BYO: kagent ignores declarative too');
    if (!convertByo(spec.byo?.deployment, spec.byo ?? {}, converted, report)) return leftOut(report);
    report.attention(['spec', 'a2aConfig'], WHY.noA2A);
  }

  const object = { apiVersion: GROUP_VERSION, kind: 'Agent', metadata, spec: converted };
  const valid = validateAgent(object);
  if (!valid.success) {
    return leftOut(report, `Agentry refuses it (${valid.issues.join('; ')})`);
  }
  return { apiVersion: GROUP_VERSION, kind: 'Agent', metadata, spec: sortKeysDeep(converted) };
}

function convertDeclarative(
  source: KagentDeclarativeAgent,
  metadata: ConvertedMetadata,
  spec: AgentSpecInput,
  report: ObjectReport,
  inputs: KagentInputs,
): boolean {
  const path = ['spec', 'declarative'];
  reportUnknownFields(report, path, source, declarativeAgentSchema);
  if (!isUnset(source.runtime) && source.runtime !== KAGENT_DEFAULT_RUNTIME) report.notConverted([...path, 'runtime'], WHY.runtime);
  if (!isUnset(source.promptTemplate)) report.notConverted([...path, 'promptTemplate'], WHY.promptTemplate);
  if (source.executeCodeBlocks === true) report.notConverted([...path, 'executeCodeBlocks'], WHY.executeCodeBlocks);
  if (source.memory !== undefined && source.memory !== null) report.notConverted([...path, 'memory'], WHY.memory);
  if (!isUnset(source.context)) report.notConverted([...path, 'context'], WHY.context);

  const declarative: Partial<DeclarativeInput> = {};
  if (source.systemMessageFrom !== undefined) {
    const { type, name, key } = source.systemMessageFrom;
    if (type === 'ConfigMap' && name === metadata.name) {
      report.notConverted(
        [...path, 'systemMessageFrom'],
        `the ConfigMap ${JSON.stringify(name)} has the Agent's own name, which is the ConfigMap Agentry generates for it: copy the system message into a ConfigMap of another name and point systemMessageFrom.configMapKeyRef at it`,
      );
      return false;
    }
    const reference = type === 'Secret' ? { secretKeyRef: { name, key } } : { configMapKeyRef: { name, key } };
    declarative.systemMessageFrom = fitAgentry(systemMessageFromSchema, reference, [...path, 'systemMessageFrom'], report);
  } else if (!isUnset(source.systemMessage)) {
    declarative.systemMessage = fitAgentry(declarativeField.systemMessage.unwrap(), source.systemMessage, [...path, 'systemMessage'], report);
  }
  if (declarative.systemMessage === undefined && declarative.systemMessageFrom === undefined) {
    if (source.systemMessage === undefined && source.systemMessageFrom === undefined) report.notConverted([...path, 'systemMessage'], WHY.noSystemMessage);
    else report.notConverted([...path], 'without its system message Agentry cannot run it');
    return false;
  }

  const modelConfig = convertModelConfigName(source.modelConfig, metadata, [...path, 'modelConfig'], report, inputs);
  if (modelConfig === undefined) return false;
  declarative.modelConfig = modelConfig;
  if (source.stream !== undefined) declarative.stream = source.stream;
  const owner = { name: metadata.name, namespace: metadata.namespace, subject: report.subject };
  const tools = convertTools(source.tools ?? [], owner, [...path, 'tools'], report, inputs);
  if (tools.length > 0) declarative.tools = tools;
  spec.declarative = { ...declarative, modelConfig };

  const a2aConfig = convertA2AConfig(source.a2aConfig, [...path, 'a2aConfig'], report);
  if (a2aConfig !== undefined) spec.a2aConfig = a2aConfig;
  if (source.deployment !== undefined) {
    const { deployment } = convertDeployment(source.deployment, declarativeDeploymentSchema, [...path, 'deployment'], report, 'Declarative');
    if (deployment !== undefined) spec.deployment = deployment;
  }
  return true;
}

function convertModelConfigName(name: string | undefined, metadata: ConvertedMetadata, path: FieldPath, report: ObjectReport, inputs: KagentInputs): string | undefined {
  if (isUnset(name)) {
    report.attention(
      path,
      `not set: kagent then uses its default ModelConfig; set to ${KAGENT_DEFAULT_MODEL_CONFIG}, kagent's default name: an Agentry Agent names a ModelConfig in its own namespace, so create one of that name there`,
    );
    return KAGENT_DEFAULT_MODEL_CONFIG;
  }
  const fitted = fitAgentry(declarativeField.modelConfig, name, path, report);
  if (fitted === undefined) return undefined;
  if (inputs.unconvertedModelConfigs.has(objectKey(metadata.namespace, fitted))) {
    report.attention(path, `the ModelConfig ${JSON.stringify(fitted)} was not converted (see its entries): create an Agentry ModelConfig of that name`);
  }
  return fitted;
}

function convertA2AConfig(source: KagentA2AConfig | undefined, path: FieldPath, report: ObjectReport): { skills: A2ASkill[] } | undefined {
  if (source === undefined || isUnset(source.skills)) {
    report.attention(path, WHY.noA2A);
    return undefined;
  }
  reportUnknownFields(report, path, source, kagentA2AConfigSchema);
  const ids = new Set<string>();
  const skills = (source.skills ?? []).flatMap((skill, index) => {
    const fitted = fitAgentry(a2aSkillSchema, skill, [...path, 'skills', index], report);
    if (fitted === undefined) return [];
    if (ids.has(fitted.id)) {
      report.notConverted([...path, 'skills', index], `a second skill with the id ${JSON.stringify(fitted.id)}: Agentry's skill ids are unique`);
      return [];
    }
    ids.add(fitted.id);
    return [fitted];
  });
  if (skills.length === 0) {
    report.notConverted(path, 'none of its skills is one Agentry accepts, so the Agent was converted without a2aConfig and does not speak A2A');
    return undefined;
  }
  return { skills };
}

function convertByo(deployment: ByoDeployment | undefined, byo: Record<string, unknown>, spec: AgentSpecInput, report: ObjectReport): boolean {
  const path = ['spec', 'byo'];
  reportUnknownFields(report, path, byo, byoAgentSchema);
  const deploymentPath = [...path, 'deployment'];
  if (deployment === undefined || isUnset(deployment.image)) {
    report.notConverted([...deploymentPath, 'image'], WHY.noImage);
    return false;
  }
  const image = fitAgentry(containerImage(), deployment.image, [...deploymentPath, 'image'], report);
  if (image === undefined) return false;
  const { deployment: pod, imagePullPolicy } = convertDeployment(deployment, byoDeploymentSchema, deploymentPath, report, 'BYO');
  spec.byo = {
    image,
    ...(imagePullPolicy === undefined ? {} : { imagePullPolicy }),
    ...(isUnset(deployment.cmd) || deployment.cmd === undefined ? {} : { command: [deployment.cmd] }),
    ...(isUnset(deployment.args) ? {} : { args: deployment.args }),
  };
  if (pod !== undefined) spec.deployment = pod;
  return true;
}

function leftOut(report: ObjectReport, reason?: string): undefined {
  report.notConverted([], reason === undefined ? LEFT_OUT : `${LEFT_OUT}: ${reason}`);
  return undefined;
}
