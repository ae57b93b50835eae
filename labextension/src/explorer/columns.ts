/**
 * The runs explorer's columns: which exist (built-in ones, and one per run parameter,
 * found in the runs themselves), which are shown, their widths, and how a column sorts
 * on the server. Pure: no DOM, no requests.
 *
 * Parameter columns are data-driven: any run carrying `parameters` (an object, see
 * DESIGN.md "v2 additions") or `opaque_parameters` (names) adds a column `param:NAME`,
 * which sorts with the server's `sort=param:NAME` once the server accepts `sort`.
 */
import type { IRun } from '../types';

/** One column of the explorer. */
export interface IColumn {
  /** `status`, `id`, ... or `param:NAME`. */
  readonly id: string;
  readonly label: string;
  /** Said in the column chooser and the header's tooltip. */
  readonly description: string;
  /** Width in pixels until the user drags it. */
  readonly width: number;
  readonly minWidth: number;
  /** The server's sort key (`created_at`, `param:NAME`); none: the server cannot sort by it. */
  readonly sortKey?: string;
  /** Shown until the user hides it. */
  readonly shownByDefault: boolean;
  /** The parameter it shows, for `param:` columns. */
  readonly parameter?: string;
  /** Takes the room left over (at least its width). */
  readonly grows?: boolean;
}

export const CREATED_SORT = 'created_at';

/** The built-in columns, in display order (parameter columns go before the tags). */
export const BUILTIN_COLUMNS: readonly IColumn[] = [
  {
    id: 'status',
    label: 'Status',
    description: 'Running, succeeded, failed or unknown',
    width: 105,
    minWidth: 28,
    shownByDefault: true
  },
  {
    id: 'id',
    label: 'Run',
    description: 'The run id (click it to open the run)',
    width: 130,
    minWidth: 50,
    shownByDefault: true
  },
  {
    id: 'user',
    label: 'User',
    description: 'Who ran it',
    width: 100,
    minWidth: 40,
    shownByDefault: true
  },
  {
    id: 'created',
    label: 'Created',
    description: 'When the run started',
    width: 185,
    minWidth: 70,
    sortKey: CREATED_SORT,
    shownByDefault: true
  },
  {
    id: 'finished',
    label: 'Finished',
    description: 'When the run ended',
    width: 140,
    minWidth: 70,
    shownByDefault: false
  },
  {
    id: 'duration',
    label: 'Duration',
    description: 'From start to end (so far, while running)',
    width: 90,
    minWidth: 50,
    shownByDefault: true
  }
];

export const TAG_COLUMNS: readonly IColumn[] = [
  {
    id: 'tags',
    label: 'Tags',
    description: 'User tags (click one to filter by it)',
    width: 220,
    minWidth: 80,
    shownByDefault: true,
    grows: true
  },
  {
    id: 'system_tags',
    label: 'System tags',
    description: 'user:, runtime:, metaflow_version: … (cannot be changed)',
    width: 260,
    minWidth: 80,
    shownByDefault: false
  }
];

export const PARAM_PREFIX = 'param:';
const MAX_WIDTH = 1200;

/** The parameters of a run: `{}` for runs (and servers) that carry none. */
export function runParameters(run: IRun): Readonly<Record<string, unknown>> {
  const value = (run as { parameters?: unknown }).parameters;
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Parameters of a run that the server could not decode safely. */
export function opaqueParameters(run: IRun): readonly string[] {
  const value = (run as { opaque_parameters?: unknown }).opaque_parameters;
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : [];
}

/** Every parameter name the runs carry, in first-seen order. */
export function parameterNames(runs: readonly IRun[]): string[] {
  const names = new Set<string>();
  for (const run of runs) {
    for (const name of Object.keys(runParameters(run))) {
      names.add(name);
    }
    for (const name of opaqueParameters(run)) {
      names.add(name);
    }
  }
  return [...names];
}

/** The column showing one parameter. */
export function parameterColumn(name: string): IColumn {
  return {
    id: PARAM_PREFIX + name,
    label: name,
    description: `Parameter ${name}`,
    width: 110,
    minWidth: 50,
    sortKey: PARAM_PREFIX + name,
    shownByDefault: true,
    parameter: name
  };
}

/** Every column the explorer offers for these parameter names, in display order. */
export function allColumns(parameters: readonly string[]): IColumn[] {
  return [
    ...BUILTIN_COLUMNS,
    ...parameters.map(parameterColumn),
    ...TAG_COLUMNS
  ];
}

/** A parameter value in a cell: numbers and strings as they are, the rest as JSON. */
export function formatParameter(run: IRun, name: string): string {
  const params = runParameters(run);
  if (Object.prototype.hasOwnProperty.call(params, name)) {
    const value = params[name];
    return typeof value === 'string' ? value : JSON.stringify(value);
  }
  return opaqueParameters(run).includes(name) ? '(opaque)' : '';
}

/** What the user chose, as saved (JSON): shown or hidden columns, dragged widths. */
export interface IColumnPrefs {
  /** Columns the user showed (true) or hid (false); others follow their default. */
  readonly shown: Readonly<Record<string, boolean>>;
  readonly widths: Readonly<Record<string, number>>;
}

export const DEFAULT_PREFS: IColumnPrefs = { shown: {}, widths: {} };

/** Prefs read back from storage, or the defaults when they are not prefs. */
export function readPrefs(value: unknown): IColumnPrefs {
  if (!value || typeof value !== 'object') {
    return DEFAULT_PREFS;
  }
  const v = value as { shown?: unknown; widths?: unknown };
  const shown: Record<string, boolean> = {};
  const widths: Record<string, number> = {};
  if (v.shown && typeof v.shown === 'object') {
    for (const [k, b] of Object.entries(v.shown)) {
      if (typeof b === 'boolean') {
        shown[k] = b;
      }
    }
  }
  if (v.widths && typeof v.widths === 'object') {
    for (const [k, w] of Object.entries(v.widths)) {
      if (typeof w === 'number' && Number.isFinite(w)) {
        widths[k] = w;
      }
    }
  }
  return { shown, widths };
}

export function isShown(column: IColumn, prefs: IColumnPrefs): boolean {
  return prefs.shown[column.id] ?? column.shownByDefault;
}

/** Show or hide a column. */
export function toggleColumn(
  prefs: IColumnPrefs,
  column: IColumn
): IColumnPrefs {
  return {
    ...prefs,
    shown: { ...prefs.shown, [column.id]: !isShown(column, prefs) }
  };
}

/** A column's width, within its bounds. */
export function columnWidth(column: IColumn, prefs: IColumnPrefs): number {
  const width = prefs.widths[column.id] ?? column.width;
  return Math.round(Math.min(MAX_WIDTH, Math.max(column.minWidth, width)));
}

/** Set a column's width (dragged), within its bounds. */
export function resizeColumn(
  prefs: IColumnPrefs,
  column: IColumn,
  width: number
): IColumnPrefs {
  const bounded = columnWidth(column, {
    ...prefs,
    widths: { [column.id]: width }
  });
  return { ...prefs, widths: { ...prefs.widths, [column.id]: bounded } };
}

export function resetWidths(prefs: IColumnPrefs): IColumnPrefs {
  return { ...prefs, widths: {} };
}

/**
 * The CSS grid columns of a row: each shown column at its width, the growing one (the
 * tags) taking what is left. Rows wider than the view scroll sideways, never clip.
 */
export function gridTemplate(
  columns: readonly IColumn[],
  prefs: IColumnPrefs
): string {
  return columns
    .map(c => {
      const w = columnWidth(c, prefs);
      return c.grows ? `minmax(${w}px, 1fr)` : `${w}px`;
    })
    .join(' ');
}

/** The smallest width of a row with these columns (for the sideways scroll). */
export function rowWidth(
  columns: readonly IColumn[],
  prefs: IColumnPrefs,
  gap: number,
  padding: number
): number {
  const widths = columns.reduce((sum, c) => sum + columnWidth(c, prefs), 0);
  return widths + gap * Math.max(0, columns.length - 1) + 2 * padding;
}

/** The server's order of a listing: a key, descending or not. */
export interface ISort {
  readonly key: string;
  readonly descending: boolean;
}

/** The server's default order: newest first. */
export const NEWEST_FIRST: ISort = { key: CREATED_SORT, descending: true };

/** The `sort` query value, or `null` for the default order (sent as nothing). */
export function sortQuery(sort: ISort): string | null {
  if (sort.key === NEWEST_FIRST.key && sort.descending) {
    return null;
  }
  return (sort.descending ? '-' : '') + sort.key;
}

/** Read a `sort` value (`-param:alpha`) back. */
export function parseSort(value: string | null | undefined): ISort {
  if (!value) {
    return NEWEST_FIRST;
  }
  const descending = value.startsWith('-');
  const key = descending ? value.slice(1) : value;
  return key ? { key, descending } : NEWEST_FIRST;
}

/**
 * Can this column be sorted? Only by the server: the default order always; any other
 * only when the server accepts `sort` (client-side sorting of what is loaded would lie
 * about 100k runs).
 */
export function canSort(column: IColumn, serverSorts: boolean): boolean {
  return column.sortKey !== undefined && serverSorts;
}

/** A click on a sortable column's header: descending first, then ascending. */
export function nextSort(current: ISort, column: IColumn): ISort {
  if (column.sortKey === undefined) {
    return current;
  }
  if (current.key !== column.sortKey) {
    return { key: column.sortKey, descending: true };
  }
  return { key: column.sortKey, descending: !current.descending };
}

/** `aria-sort` of a column's header. */
export function ariaSort(
  column: IColumn,
  sort: ISort
): 'ascending' | 'descending' | 'none' {
  if (column.sortKey === undefined || column.sortKey !== sort.key) {
    return 'none';
  }
  return sort.descending ? 'descending' : 'ascending';
}
