// Resource quantities as the API server stores them: always strings. An Agent may write `cpu: 1`
// (a number); sending a number would make the live object ("1") look different from desired forever.

export function quantityText(value: number | string): string {
  return typeof value === 'number' ? String(value) : value;
}
