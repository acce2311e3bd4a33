// What a kubelet would give the agent container of a pod, turned into a local program: its mounted
// ConfigMap/Secret files written under a directory of ours (`/etc/agentry/agent.json` becomes
// `{root}/etc/agentry/agent.json`, and the container's args are rewritten the same way), and its
// environment resolved through the API (value, $(VAR) references, secretKeyRef, configMapKeyRef,
// the fieldRefs a pod's own metadata answers, envFrom). What it cannot do the way a kubelet would
// (projected volumes, subPath, resourceFieldRef) is refused with a message, never approximated.
import type { KubeObject } from '../../../src/kube/kube-object.js';

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { prefix?: string; configMapRef?: { name: string; optional?: boolean }; secretRef?: { name: string; optional?: boolean } }[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
}

interface KeyRef {
  name: string;
  key: string;
  optional?: boolean;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: KeyRef; configMapKeyRef?: KeyRef; fieldRef?: { fieldPath: string }; resourceFieldRef?: unknown };
}

interface KeyToPath {
  key: string;
  path: string;
}

export interface Volume {
  name: string;
  configMap?: { name: string; items?: KeyToPath[]; optional?: boolean };
  secret?: { secretName: string; items?: KeyToPath[]; optional?: boolean };
  emptyDir?: Record<string, unknown>;
  [source: string]: unknown;
}

export interface Pod extends KubeObject {
  spec: { nodeName?: string; serviceAccountName?: string; containers: Container[]; volumes?: Volume[] };
  status?: { podIP?: string };
}

/** ConfigMaps and Secrets as the API holds them (Secret `data` base64, as read). */
export interface ObjectSource {
  configMap(namespace: string, name: string): Promise<{ data?: Record<string, string>; binaryData?: Record<string, string> } | undefined>;
  secret(namespace: string, name: string): Promise<{ data?: Record<string, string> } | undefined>;
}

export interface PodProgram {
  /** The container's args with every mount path mapped under `root`. */
  args: string[];
  env: Record<string, string>;
  /** Files to write (absolute paths under `root`). */
  files: { path: string; content: Buffer }[];
  /** Directories to create (emptyDir mounts, and every mount point). */
  dirs: string[];
}

/** The pod cannot be run locally yet (a Secret not there yet) or at all (an unsupported field). */
export class PodProgramError extends Error {
  override readonly name = 'PodProgramError';
}

export async function podProgram(pod: Pod, container: Container, root: string, source: ObjectSource): Promise<PodProgram> {
  const namespace = pod.metadata.namespace ?? 'default';
  const files: PodProgram['files'] = [];
  const dirs: string[] = [];
  const mounts = container.volumeMounts ?? [];
  for (const mount of mounts) {
    if (mount.subPath !== undefined) throw new PodProgramError(`volumeMount ${mount.name}: subPath is not supported locally`);
    const volume = pod.spec.volumes?.find((v) => v.name === mount.name);
    if (volume === undefined) throw new PodProgramError(`volumeMount ${mount.name}: no such volume`);
    const dir = mapped(root, mount.mountPath);
    dirs.push(dir);
    if (volume.configMap !== undefined) {
      const cm = await source.configMap(namespace, volume.configMap.name);
      if (cm === undefined && volume.configMap.optional !== true) throw new PodProgramError(`volume ${volume.name}: ConfigMap ${namespace}/${volume.configMap.name} not found`);
      const data = { ...decodeAll(cm?.binaryData), ...textAll(cm?.data) };
      files.push(...projected(dir, data, volume.configMap.items, `ConfigMap ${volume.configMap.name}`));
    } else if (volume.secret !== undefined) {
      const secret = await source.secret(namespace, volume.secret.secretName);
      if (secret === undefined && volume.secret.optional !== true) throw new PodProgramError(`volume ${volume.name}: Secret ${namespace}/${volume.secret.secretName} not found`);
      files.push(...projected(dir, decodeAll(secret?.data), volume.secret.items, `Secret ${volume.secret.secretName}`));
    } else if (volume.emptyDir === undefined) {
      const kind = Object.keys(volume).filter((k) => k !== 'name').join(', ');
      throw new PodProgramError(`volume ${volume.name}: only configMap, secret and emptyDir volumes are supported locally (got ${kind})`);
    }
  }
  const args = (container.args ?? []).map((arg) => mapArg(arg, root, mounts.map((m) => m.mountPath)));
  const env = await resolveEnv(pod, container, source);
  return { args, env, files, dirs };
}

/** `/etc/agentry` under `root`. */
function mapped(root: string, mountPath: string): string {
  return `${root.replace(/\/$/, '')}/${mountPath.replace(/^\/+/, '')}`;
}

/** An argument naming a path inside a mount (`/etc/agentry/x`, or `--flag=/etc/agentry/x`) points under root instead. */
function mapArg(arg: string, root: string, mountPaths: readonly string[]): string {
  const eq = arg.startsWith('-') ? arg.indexOf('=') : -1;
  const [head, value] = eq >= 0 ? [arg.slice(0, eq + 1), arg.slice(eq + 1)] : ['', arg];
  const mount = mountPaths.find((m) => value === m || value.startsWith(`${m.replace(/\/$/, '')}/`));
  return mount === undefined ? arg : `${head}${mapped(root, value)}`;
}

function projected(dir: string, data: Record<string, Buffer>, items: KeyToPath[] | undefined, what: string): PodProgram['files'] {
  if (items === undefined) return Object.entries(data).map(([key, content]) => ({ path: `${dir}/${key}`, content }));
  return items.map((item) => {
    const content = data[item.key];
    if (content === undefined) throw new PodProgramError(`${what} has no key ${item.key}`);
    return { path: `${dir}/${item.path}`, content };
  });
}

function textAll(data: Record<string, string> | undefined): Record<string, Buffer> {
  return Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'utf8')]));
}

function decodeAll(data: Record<string, string> | undefined): Record<string, Buffer> {
  return Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}

async function resolveEnv(pod: Pod, container: Container, source: ObjectSource): Promise<Record<string, string>> {
  const namespace = pod.metadata.namespace ?? 'default';
  const env: Record<string, string> = {};
  // envFrom first: a kubelet lets `env` override what envFrom brought.
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef !== undefined) {
      const cm = await source.configMap(namespace, from.configMapRef.name);
      if (cm === undefined && from.configMapRef.optional !== true) throw new PodProgramError(`envFrom: ConfigMap ${namespace}/${from.configMapRef.name} not found`);
      for (const [k, v] of Object.entries(cm?.data ?? {})) env[`${prefix}${k}`] = v;
    } else if (from.secretRef !== undefined) {
      const secret = await source.secret(namespace, from.secretRef.name);
      if (secret === undefined && from.secretRef.optional !== true) throw new PodProgramError(`envFrom: Secret ${namespace}/${from.secretRef.name} not found`);
      for (const [k, v] of Object.entries(decodeAll(secret?.data))) env[`${prefix}${k}`] = v.toString('utf8');
    }
  }
  for (const variable of container.env ?? []) {
    const value = await envValue(pod, variable, env, source, namespace);
    if (value !== undefined) env[variable.name] = value;
  }
  return env;
}

async function envValue(pod: Pod, variable: EnvVar, defined: Record<string, string>, source: ObjectSource, namespace: string): Promise<string | undefined> {
  if (variable.valueFrom === undefined) return expand(variable.value ?? '', defined);
  const { secretKeyRef, configMapKeyRef, fieldRef } = variable.valueFrom;
  if (secretKeyRef !== undefined) {
    const value = (await source.secret(namespace, secretKeyRef.name))?.data?.[secretKeyRef.key];
    if (value === undefined) return missing(variable, secretKeyRef, 'Secret', namespace);
    return Buffer.from(value, 'base64').toString('utf8');
  }
  if (configMapKeyRef !== undefined) {
    const value = (await source.configMap(namespace, configMapKeyRef.name))?.data?.[configMapKeyRef.key];
    return value ?? missing(variable, configMapKeyRef, 'ConfigMap', namespace);
  }
  if (fieldRef !== undefined) return fieldValue(pod, fieldRef.fieldPath, variable.name);
  throw new PodProgramError(`env ${variable.name}: only value, secretKeyRef, configMapKeyRef and fieldRef are supported locally`);
}

function missing(variable: EnvVar, ref: KeyRef, kind: string, namespace: string): undefined {
  if (ref.optional === true) return undefined;
  throw new PodProgramError(`env ${variable.name}: ${kind} ${namespace}/${ref.name} has no key ${ref.key} (yet)`);
}

function fieldValue(pod: Pod, path: string, name: string): string {
  const labelOrAnnotation = /^metadata\.(labels|annotations)\['([^']+)'\]$/.exec(path);
  if (labelOrAnnotation !== null) {
    const [, map = '', key = ''] = labelOrAnnotation;
    return (map === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[key] ?? '';
  }
  const fields: Record<string, string | undefined> = {
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace,
    'metadata.uid': pod.metadata.uid,
    'spec.nodeName': pod.spec.nodeName,
    'spec.serviceAccountName': pod.spec.serviceAccountName,
    'status.podIP': pod.status?.podIP,
  };
  if (!(path in fields)) throw new PodProgramError(`env ${name}: fieldRef ${path} is not supported locally`);
  return fields[path] ?? '';
}

/** Kubernetes' $(VAR) expansion against the variables defined so far; $$ escapes, unknown references stay. */
export function expand(value: string, defined: Readonly<Record<string, string>>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => {
    if (name === undefined) return '$';
    return defined[name] ?? whole;
  });
}
