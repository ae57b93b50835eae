/** How decoded values (parameters, small artifacts) read in a cell of a table. */

/** JSON text for lists and objects, strings as they are, `null` as "None". */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) {
    return 'None';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  return JSON.stringify(value);
}

/** The value's kind, for styling: number, string, bool, none or json. */
export function valueKind(value: unknown): string {
  if (value === null || value === undefined) {
    return 'none';
  }
  switch (typeof value) {
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    default:
      return 'json';
  }
}
