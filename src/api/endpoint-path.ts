// The HTTP path of an endpoint behind a Service (an MCP server's, an A2A server's): joined to the
// Service's URL by the operator, so a query, a fragment or whitespace would change what it names.
import { z } from 'zod';

/** An absolute path such as `example`, without query or fragment, up to 256 characters. */
export function endpointPathSchema(example: string) {
  return z
    .string()
    .max(256)
    .regex(/^\/[^\s?#]*$/, { message: `must be an absolute path such as ${example}, without query or fragment` });
}
