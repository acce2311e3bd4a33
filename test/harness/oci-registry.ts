// An OCI registry on 127.0.0.1 (crane's `registry serve`, built by hack/binaries.sh crane), for the
// Flux HelmRelease path: the chart is pushed with `helm push --plain-http` and Flux's OCIRepository
// pulls it back (`insecure: true`: plain HTTP). Blobs are kept in memory; the registry dies with
// the test process (ProcessGroup's parent-death signal).
import { readFile } from 'node:fs/promises';
import { ProcessGroup } from '../../hack/control-plane/process-group.js';
import { eventually } from './cluster.js';

export class OciRegistry {
  private constructor(private readonly processes: ProcessGroup, readonly host: string) {}

  /** Starts the registry on a port it picks, and waits until it answers the OCI distribution API. */
  static async start(crane: string, logDir: string): Promise<OciRegistry> {
    const processes = new ProcessGroup(logDir);
    const proc = processes.start('oci-registry', crane, ['registry', 'serve', '--address', '127.0.0.1:0']);
    try {
      const port = await eventually(async () => /serving on port (\d+)/.exec(await readFile(proc.logFile, 'utf8'))?.[1], 30_000);
      const host = `127.0.0.1:${port}`;
      await eventually(async () => (await fetch(`http://${host}/v2/`)).ok, 30_000);
      return new OciRegistry(processes, host);
    } catch (err) {
      await processes.stopAll();
      throw err;
    }
  }

  /** The oci:// URL of a repository in this registry, as helm push and Flux's OCIRepository take it. */
  url(repository: string): string {
    return `oci://${this.host}/${repository}`;
  }

  /** The tags of a repository (OCI distribution API tags/list). */
  async tags(repository: string): Promise<string[]> {
    const res = await fetch(`http://${this.host}/v2/${repository}/tags/list`);
    if (!res.ok) throw new Error(`GET /v2/${repository}/tags/list: ${res.status}`);
    return ((await res.json()) as { tags?: string[] }).tags ?? [];
  }

  async stop(): Promise<void> {
    await this.processes.stopAll();
  }
}
