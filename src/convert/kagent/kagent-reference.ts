// kagent's `TypedReference` (agent_types.go): an object named by kind, API group, name and an
// optional namespace (the referring object's own by default). Tools use it inline (McpServerTool)
// or as `agent`.
import { z } from 'zod';

export const typedReferenceShape = {
  kind: z.string().optional(),
  apiGroup: z.string().optional(),
  name: z.string().min(1),
  namespace: z.string().optional(),
};

export const typedReferenceSchema = z.looseObject(typedReferenceShape);
export type TypedReference = z.output<typeof typedReferenceSchema>;
