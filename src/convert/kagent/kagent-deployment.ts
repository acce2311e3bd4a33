// kagent's pod settings (agent_types.go): `SharedDeploymentSpec`, inlined into the Declarative
// agent's `deployment` (with `imageRegistry`) and the BYO agent's `deployment` (with image, cmd and
// args). The Kubernetes types inside (env, resources, tolerations, security contexts …) are read
// loosely here and checked field by field against Agentry's own schemas when converted.
import { z } from 'zod';

const record = () => z.record(z.string(), z.unknown());

export const sharedDeploymentShape = {
  replicas: z.int().min(0).optional(),
  imagePullSecrets: z.array(z.looseObject({ name: z.string() })).optional(),
  volumes: z.array(z.unknown()).optional(),
  volumeMounts: z.array(z.unknown()).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  env: z.array(z.looseObject({ name: z.string() })).optional(),
  imagePullPolicy: z.string().optional(),
  resources: record().optional(),
  tolerations: z.array(record()).optional(),
  affinity: record().optional(),
  nodeSelector: z.record(z.string(), z.string()).optional(),
  securityContext: record().optional(),
  podSecurityContext: record().optional(),
  serviceAccountName: z.string().optional(),
  serviceAccountConfig: record().optional(),
  extraContainers: z.array(z.unknown()).optional(),
};

const serviceAccountExclusive = {
  check: (d: { serviceAccountName?: string | undefined; serviceAccountConfig?: Record<string, unknown> | undefined }) =>
    d.serviceAccountName === undefined || d.serviceAccountConfig === undefined,
  message: 'serviceAccountName and serviceAccountConfig are mutually exclusive',
};

export const declarativeDeploymentSchema = z
  .looseObject({ imageRegistry: z.string().optional(), ...sharedDeploymentShape })
  .refine(serviceAccountExclusive.check, { message: serviceAccountExclusive.message });
export type DeclarativeDeployment = z.output<typeof declarativeDeploymentSchema>;

export const byoDeploymentSchema = z
  .looseObject({
    image: z.string().min(1).optional(),
    cmd: z.string().optional(),
    args: z.array(z.string()).optional(),
    ...sharedDeploymentShape,
  })
  .refine(serviceAccountExclusive.check, { message: serviceAccountExclusive.message });
export type ByoDeployment = z.output<typeof byoDeploymentSchema>;

/** What both deployment kinds share: the part convert-deployment maps. */
export type SharedDeployment = DeclarativeDeployment | ByoDeployment;
