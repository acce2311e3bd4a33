// What Agentry's tools take from a kagent RemoteMCPServer: its URL and its headers, written into
// every tool that names the server (Agentry has no MCP server kind). The server's other settings are
// reported once, on the server.
import type { HeaderFromSecret } from '../../api/agent-tools.js';
import { mcpServerToolSchema } from '../../api/agent-tools.js';
import { fitAgentry } from '../agentry-fit.js';
import type { ObjectReport } from '../conversion-report.js';
import { isUnset, reportUnknownFields } from '../unconverted-fields.js';
import { convertHeaders } from './convert-headers.js';
import type { RemoteMcpServer } from './kagent-mcp-server.js';
import { REMOTE_MCP_SERVER_DEFAULTS, remoteMcpServerSpecSchema } from './kagent-mcp-server.js';

export interface RemoteServerTarget {
  /** undefined when Agentry refuses the URL (reported on the server). */
  url: string | undefined;
  headers: HeaderFromSecret[];
}

const WHY = {
  description: "Agentry's MCP tools carry no description",
  timeout: "Agentry's runtime uses its own timeouts for MCP calls",
  terminateOnClose: 'Agentry always ends the MCP session when it closes the connection',
  allowedNamespaces: 'the URL is written into each Agent that uses the server, so no cross-namespace grant is needed',
  tls: "Agentry verifies MCP servers against the runtime image's system CAs: custom CA bundles and disabling verification are not supported",
  stsAudience: 'Agentry does not exchange tokens for MCP calls',
} as const;

const urlSchema = mcpServerToolSchema.shape.url.unwrap();

export function convertRemoteServerTarget(server: RemoteMcpServer, report: ObjectReport): RemoteServerTarget {
  const spec = server.spec;
  const url = fitAgentry(urlSchema, spec.url, ['spec', 'url'], report);
  const headers = convertHeaders(spec.headersFrom ?? [], ['spec', 'headersFrom'], report);
  if (!isUnset(spec.description)) report.notConverted(['spec', 'description'], WHY.description);
  if (!isUnset(spec.timeout) && spec.timeout !== REMOTE_MCP_SERVER_DEFAULTS.timeout) report.notConverted(['spec', 'timeout'], WHY.timeout);
  if (!isUnset(spec.sseReadTimeout)) report.notConverted(['spec', 'sseReadTimeout'], WHY.timeout);
  if (spec.terminateOnClose === false) report.notConverted(['spec', 'terminateOnClose'], WHY.terminateOnClose);
  if (!isUnset(spec.allowedNamespaces)) report.notConverted(['spec', 'allowedNamespaces'], WHY.allowedNamespaces);
  if (!isUnset(spec.tls)) report.notConverted(['spec', 'tls'], WHY.tls);
  if (!isUnset(spec.stsAudience)) report.notConverted(['spec', 'stsAudience'], WHY.stsAudience);
  reportUnknownFields(report, ['spec'], spec, remoteMcpServerSpecSchema);
  return { url, headers };
}
