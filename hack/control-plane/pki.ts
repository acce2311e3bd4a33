// The control plane's certificates: a CA, the API server's serving certificate, an admin client
// certificate in system:masters, and the service-account signing key pair. Generated with the
// openssl CLI (part of every Debian image) into the control plane's temp directory.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Pki {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr}`, { cause: err });
  }
}

async function issue(dir: string, name: string, subject: string, ca: { cert: string; key: string }, extensions: string): Promise<{ cert: string; key: string }> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  const ext = join(dir, `${name}.ext`);
  await writeFile(ext, extensions);
  await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', subject]);
  await openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', cert, '-days', '30', '-extfile', ext]);
  return { cert, key };
}

export async function generatePki(dir: string, serviceClusterIp: string): Promise<Pki> {
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', caKey, '-out', caCert, '-days', '30', '-subj', '/CN=agentry-local-ca']);
  const ca = { cert: caCert, key: caKey };
  const serving = await issue(dir, 'apiserver', '/CN=kube-apiserver', ca, [
    'basicConstraints=CA:FALSE',
    'keyUsage=digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    `subjectAltName=IP:127.0.0.1,IP:${serviceClusterIp},DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local`,
    '',
  ].join('\n'));
  const admin = await issue(dir, 'admin', '/O=system:masters/CN=agentry-admin', ca, [
    'basicConstraints=CA:FALSE',
    'keyUsage=digitalSignature,keyEncipherment',
    'extendedKeyUsage=clientAuth',
    '',
  ].join('\n'));
  const serviceAccountKey = join(dir, 'sa.key');
  const serviceAccountPub = join(dir, 'sa.pub');
  await openssl(['genrsa', '-out', serviceAccountKey, '2048']);
  await openssl(['rsa', '-in', serviceAccountKey, '-pubout', '-out', serviceAccountPub]);
  return { caCert, caKey, servingCert: serving.cert, servingKey: serving.key, adminCert: admin.cert, adminKey: admin.key, serviceAccountKey, serviceAccountPub };
}
