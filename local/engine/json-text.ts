// Serializing state data for history events. `undefined` (no value) is recorded as JSON null.
export function toJson(value: unknown): string {
  return value === undefined ? 'null' : JSON.stringify(value);
}
