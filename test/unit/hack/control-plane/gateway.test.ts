// Traefik's flags: nothing listens beyond loopback, nothing calls out (its update check and usage
// statistics would, after a while), and traffic goes to Service ClusterIPs (where local processes are).
import { describe, expect, it } from '@jest/globals';

import { traefikArgs } from '../../../../hack/control-plane/gateway.js';

describe('traefikArgs', () => {
  const args = traefikArgs(41000, 41001, ['--log.level=DEBUG']);

  it('turns off every call to the internet', () => {
    expect(args).toEqual(expect.arrayContaining(['--global.checkNewVersion=false', '--global.sendAnonymousUsage=false']));
  });

  it('listens on loopback only: the Gateway listener entryPoint and the ping entryPoint', () => {
    const addresses = args.filter((a) => a.startsWith('--entryPoints.')).map((a) => a.slice(a.indexOf('=') + 1));
    expect(addresses).toEqual(['127.0.0.1:41000', '127.0.0.1:41001']);
    expect(args).toContain('--ping=true');
  });

  it('runs the Gateway API provider, reports a loopback address and sends to ClusterIP:port', () => {
    expect(args).toEqual(
      expect.arrayContaining([
        '--providers.kubernetesgateway=true',
        '--providers.kubernetesgateway.statusaddress.ip=127.0.0.1',
        '--providers.kubernetesgateway.nativeLBByDefault=true',
      ]),
    );
    expect(args[args.length - 1]).toBe('--log.level=DEBUG');
  });
});
