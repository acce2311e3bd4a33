// A throwaway certificate authority for tests that speak https: a CA and serving certificates for
// whatever names and addresses a test binds to (a Service's ClusterIP, `NAME.NS.svc`). Made with the
// openssl CLI at test time, as the control plane's PKI is (hack/control-plane/pki.ts), rather than
// committed: the addresses and namespaces are only known when a test runs, no private key sits in
// the repository, and nothing ever expires.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { promisify } from 'node:util';

import { afterAll, beforeAll } from '@jest/globals';

const run = promisify(execFile);

export interface ServingCertificate {
  /** PEM: the leaf certificate. */
  cert: string;
  /** PEM: its private key. */
  key: string;
}

export interface TestCertificateAuthority {
  /** PEM of the CA certificate, what a client adds to its trust store. */
  readonly caPem: string;
  /** A serving certificate for these DNS names and IP addresses (both as subjectAltNames). */
  issue(names: readonly string[]): Promise<ServingCertificate>;
  /** Removes the CA's files. */
  dispose(): Promise<void>;
}

async function openssl(args: readonly string[]): Promise<void> {
  try {
    await run('openssl', [...args]);
  } catch (err) {
    const stderr = err instanceof Error && 'stderr' in err ? String(err.stderr) : '';
    throw new Error(`openssl ${args[0]} failed: ${stderr}`, { cause: err });
  }
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A new CA named `commonName`, in its own temp directory (dispose() removes it). */
export async function createTestCa(commonName = 'agentry-test-ca'): Promise<TestCertificateAuthority> {
  const dir = await mkdtemp(join(tmpdir(), 'agentry-test-ca-'));
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  await openssl(['req', '-x509', ...EC_KEY, '-keyout', caKey, '-out', caCert, '-days', '3650', '-subj', `/CN=${commonName}`]);
  const caPem = await readFile(caCert, 'utf8');
  let serial = 0;
  return {
    caPem,
    async issue(names) {
      serial += 1;
      const base = join(dir, `leaf-${serial}`);
      const sans = names.map((name) => (isIP(name) === 0 ? `DNS:${name}` : `IP:${name}`)).join(',');
      await writeFile(`${base}.ext`, ['basicConstraints=CA:FALSE', 'keyUsage=digitalSignature', 'extendedKeyUsage=serverAuth', `subjectAltName=${sans}`, ''].join('\n'));
      await openssl(['req', '-new', ...EC_KEY, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${names[0] ?? 'localhost'}`]);
      await openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', caCert, '-CAkey', caKey, '-set_serial', String(serial), '-out', `${base}.crt`, '-days', '3650', '-extfile', `${base}.ext`]);
      return { cert: await readFile(`${base}.crt`, 'utf8'), key: await readFile(`${base}.key`, 'utf8') };
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** What most tests bind to. */
export const LOOPBACK_NAMES: readonly string[] = ['127.0.0.1', '::1', 'localhost'];

/**
 * For a jest suite: a CA, and an unrelated one whose certificates the first does not vouch for,
 * made before the suite's tests and removed after them. Read them inside tests.
 */
export function testCasOfSuite(): { readonly trusted: TestCertificateAuthority; readonly other: TestCertificateAuthority } {
  let cas: { trusted: TestCertificateAuthority; other: TestCertificateAuthority } | undefined;
  beforeAll(async () => {
    cas = { trusted: await createTestCa(), other: await createTestCa('agentry-other-test-ca') };
  });
  afterAll(async () => {
    await cas?.trusted.dispose();
    await cas?.other.dispose();
  });
  const made = () => {
    if (cas === undefined) throw new Error('testCasOfSuite: the CAs are made in beforeAll; read them inside a test');
    return cas;
  };
  return {
    get trusted() {
      return made().trusted;
    },
    get other() {
      return made().other;
    },
  };
}
