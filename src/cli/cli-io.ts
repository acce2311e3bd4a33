/** What a CLI command touches of the outside world, so commands are testable in memory. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readFile: (path: string) => Promise<string>;
}
