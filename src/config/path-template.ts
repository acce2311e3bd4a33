// Path templates in the operator configuration: `/agents/{namespace}/{name}`.

export const PATH_TEMPLATE_PLACEHOLDERS = ['{namespace}', '{name}'] as const;

export interface PathTemplateValues {
  namespace: string;
  name: string;
}

export function expandPathTemplate(template: string, values: PathTemplateValues): string {
  return template.replaceAll('{namespace}', values.namespace).replaceAll('{name}', values.name);
}

/** The placeholders used in a template that Agentry does not know, such as `{team}`. */
export function unknownPlaceholders(template: string): string[] {
  return (template.match(/\{[^}]*\}/g) ?? []).filter((p) => !(PATH_TEMPLATE_PLACEHOLDERS as readonly string[]).includes(p));
}
