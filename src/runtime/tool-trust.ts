// The CAs the agent's tools need besides the default ones: a RemoteAgent by URL with its own CA
// bundle (spec.tls.caBundle, mounted by the operator, named by `caFile` in agent.json). They are
// added to the process's default trust store once, at start-up: Node's fetch (the A2A client's)
// takes no per-request CA, and the pod is the agent's own, so a CA it trusts widens nothing of
// anyone else's.
import { readFile } from 'node:fs/promises';
import tls from 'node:tls';

import type { DeclarativeAgentConfig } from '../contract/agent-config.js';
import { AgentFilesError } from './agent-files.js';

/** Node.js 22.19 / 24.5 and later (the image's is newer); this package's @types/node predates them. */
interface TrustStore {
  getCACertificates(type: 'default'): string[];
  setDefaultCACertificates(certs: string[]): void;
}

function isTrustStore(module: unknown): module is TrustStore {
  return (
    typeof module === 'object' &&
    module !== null &&
    'getCACertificates' in module &&
    typeof module.getCACertificates === 'function' &&
    'setDefaultCACertificates' in module &&
    typeof module.setDefaultCACertificates === 'function'
  );
}

/** Reads every tool's CA file and trusts it on top of the default CAs; the files read, in order. */
export async function trustToolCas(config: DeclarativeAgentConfig): Promise<string[]> {
  const files = [...new Set((config.tools?.agents ?? []).flatMap((peer) => (peer.caFile !== undefined ? [peer.caFile] : [])))];
  if (files.length === 0) return [];
  const pems = await Promise.all(
    files.map(async (file) => {
      const text = await readFile(file, 'utf8').catch((err: unknown) => {
        throw new AgentFilesError(`${file} (a tool's CA bundle): cannot be read: ${err instanceof Error ? err.message : String(err)}`);
      });
      if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new AgentFilesError(`${file} (a tool's CA bundle): no PEM certificate in it`);
      return text;
    }),
  );
  const store: unknown = tls;
  if (!isTrustStore(store)) {
    throw new AgentFilesError(`this Node.js (${process.version}) cannot add CAs to its trust store; the CA bundles of ${files.join(', ')} need 22.19 or 24.5 and later`);
  }
  try {
    store.setDefaultCACertificates([...store.getCACertificates('default'), ...pems]);
  } catch (err) {
    throw new AgentFilesError(`the tools' CA bundles (${files.join(', ')}) are not valid PEM certificates: ${err instanceof Error ? err.message : String(err)}`);
  }
  return files;
}
