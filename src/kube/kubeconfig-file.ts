// Reading kubeconfig files (clientcmd's format) into the connection options of one context.
//
// Follows kubectl's rules where they matter for a controller: $KUBECONFIG lists files that are
// merged (the first file to define a name wins, and the first current-context wins), relative
// paths resolve against the file that holds them, missing files in the list are skipped, and
// `*-data` fields take precedence over their file counterparts. Settings we cannot honour
// (proxies, auth-provider plugins, impersonation) fail loudly instead of being ignored.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { ExecCredentialPlugin, execConfigSchema } from './exec-credential-plugin.js';
import type { KubeConnectionOptions } from './kube-connection.js';

const clusterSchema = z.looseObject({
  server: z.string().min(1),
  'certificate-authority': z.string().optional(),
  'certificate-authority-data': z.string().optional(),
  'insecure-skip-tls-verify': z.boolean().optional(),
  'tls-server-name': z.string().optional(),
  'proxy-url': z.string().optional(),
});

const userSchema = z.looseObject({
  token: z.string().optional(),
  tokenFile: z.string().optional(),
  'client-certificate': z.string().optional(),
  'client-certificate-data': z.string().optional(),
  'client-key': z.string().optional(),
  'client-key-data': z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  exec: execConfigSchema.optional(),
  'auth-provider': z.unknown().optional(),
  as: z.string().optional(),
});

const contextSchema = z.looseObject({
  cluster: z.string().min(1),
  user: z.string().optional(),
  namespace: z.string().optional(),
});

const kubeconfigSchema = z.looseObject({
  clusters: z.array(z.looseObject({ name: z.string().min(1), cluster: clusterSchema.nullish() })).nullish(),
  users: z.array(z.looseObject({ name: z.string().min(1), user: userSchema.nullish() })).nullish(),
  contexts: z.array(z.looseObject({ name: z.string().min(1), context: contextSchema.nullish() })).nullish(),
  'current-context': z.string().optional(),
});

type Cluster = z.infer<typeof clusterSchema>;
type User = z.infer<typeof userSchema>;
type Context = z.infer<typeof contextSchema>;

/** A user, and the directory of the file that defines it (an exec plugin's relative command resolves there). */
interface UserEntry {
  user: User;
  baseDir: string;
}

/** One file's entries, with relative paths already resolved against that file's directory. */
interface KubeconfigDocument {
  clusters: Map<string, Cluster>;
  users: Map<string, UserEntry>;
  contexts: Map<string, Context>;
  currentContext?: string;
  source: string;
}

function readDocument(text: string, baseDir: string, source: string): KubeconfigDocument {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (err) {
    throw new Error(`${source}: not YAML: ${(err as Error).message}`, { cause: err });
  }
  const parsed = kubeconfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${source}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid kubeconfig'}`);
  }
  const doc = parsed.data;
  const abs = (p: string | undefined) => (p === undefined || p === '' || isAbsolute(p) ? p : resolve(baseDir, p));
  const clusters = new Map<string, Cluster>();
  for (const entry of doc.clusters ?? []) {
    const c = entry.cluster;
    if (c && !clusters.has(entry.name)) clusters.set(entry.name, { ...c, 'certificate-authority': abs(c['certificate-authority']) });
  }
  const users = new Map<string, UserEntry>();
  for (const entry of doc.users ?? []) {
    const u = entry.user ?? {};
    if (!users.has(entry.name)) {
      users.set(entry.name, { user: { ...u, tokenFile: abs(u.tokenFile), 'client-certificate': abs(u['client-certificate']), 'client-key': abs(u['client-key']) }, baseDir });
    }
  }
  const contexts = new Map<string, Context>();
  for (const entry of doc.contexts ?? []) {
    const c = entry.context;
    if (c && !contexts.has(entry.name)) contexts.set(entry.name, c);
  }
  return { clusters, users, contexts, currentContext: doc['current-context'] || undefined, source };
}

function merge(docs: KubeconfigDocument[]): KubeconfigDocument {
  const merged: KubeconfigDocument = { clusters: new Map(), users: new Map(), contexts: new Map(), source: docs.map((d) => d.source).join(':') };
  for (const doc of docs) {
    for (const [k, v] of doc.clusters) if (!merged.clusters.has(k)) merged.clusters.set(k, v);
    for (const [k, v] of doc.users) if (!merged.users.has(k)) merged.users.set(k, v);
    for (const [k, v] of doc.contexts) if (!merged.contexts.has(k)) merged.contexts.set(k, v);
    merged.currentContext ??= doc.currentContext;
  }
  return merged;
}

function pem(source: string, field: string, data: string | undefined, file: string | undefined): Buffer | undefined {
  if (data) return Buffer.from(data, 'base64');
  if (!file) return undefined;
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`${source}: ${field} ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function resolveContext(doc: KubeconfigDocument, contextName?: string): KubeConnectionOptions {
  const { source } = doc;
  const name = contextName ?? doc.currentContext;
  if (!name) throw new Error(`${source}: no current-context is set and no context was named`);
  const context = doc.contexts.get(name);
  if (!context) throw new Error(`${source}: context "${name}" not found`);
  const cluster = doc.clusters.get(context.cluster);
  if (!cluster) throw new Error(`${source}: cluster "${context.cluster}" of context "${name}" not found`);
  const userEntry = context.user ? doc.users.get(context.user) : undefined;
  if (context.user && !userEntry) throw new Error(`${source}: user "${context.user}" of context "${name}" not found`);
  const user: User = userEntry?.user ?? {};
  if (cluster['proxy-url']) throw new Error(`${source}: cluster "${context.cluster}" uses proxy-url, which agentry does not support`);
  if (user['auth-provider'] !== undefined) {
    throw new Error(`${source}: user "${context.user}" uses an auth-provider plugin (removed from kubectl in 1.26); use an exec credential plugin`);
  }
  if (user.as) throw new Error(`${source}: user "${context.user}" sets "as" (impersonation), which agentry does not support`);
  return {
    server: cluster.server,
    caPem: pem(source, 'certificate-authority', cluster['certificate-authority-data'], cluster['certificate-authority']),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'],
    tlsServerName: cluster['tls-server-name'],
    clientCertificatePem: pem(source, 'client-certificate', user['client-certificate-data'], user['client-certificate']),
    clientKeyPem: pem(source, 'client-key', user['client-key-data'], user['client-key']),
    token: user.token || undefined,
    tokenFile: user.token ? undefined : user.tokenFile || undefined,
    username: user.username,
    password: user.password,
    exec: user.exec && userEntry ? new ExecCredentialPlugin(user.exec, { baseDir: userEntry.baseDir, server: cluster.server, source }) : undefined,
    namespace: context.namespace || undefined,
    source: `${source} (context ${name})`,
  };
}

/** One kubeconfig document. */
export function parseKubeconfig(text: string, where: { baseDir: string; source: string }, contextName?: string): KubeConnectionOptions {
  return resolveContext(readDocument(text, where.baseDir, where.source), contextName);
}

/** The merge of the files that exist among `paths` (kubectl skips missing ones in $KUBECONFIG). */
export function loadKubeconfigFiles(paths: string[], contextName?: string): KubeConnectionOptions {
  const present = paths.filter((p) => existsSync(p));
  if (present.length === 0) throw new Error(`no kubeconfig file found at ${paths.join(', ')}`);
  const docs = present.map((p) => readDocument(readFileSync(p, 'utf8'), dirname(resolve(p)), p));
  return resolveContext(merge(docs), contextName);
}
