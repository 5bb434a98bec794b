import type { CatalogSort, SortColumn } from "../../host";
import { DEFAULT_SORT, type ListFilters, NO_FILTERS } from "./listState";

/** The list's columns; every one but `ip` is a backend sort key. */
export type ColumnId = SortColumn | "ip";

export interface ColumnDef {
  id: ColumnId;
  label: string;
  /** The grid track while the user has not resized it (fits the default window). */
  track: string;
  /** The narrowest a resize may make it, in px. */
  min: number;
  sortable: boolean;
}

/** Every column the chooser offers, in display order. */
export const COLUMN_DEFS: readonly ColumnDef[] = [
  { id: "name", label: "Name", track: "minmax(150px, 2.2fr)", min: 120, sortable: true },
  { id: "client", label: "Client", track: "minmax(90px, 1.3fr)", min: 60, sortable: true },
  { id: "site", label: "Site", track: "minmax(80px, 1fr)", min: 60, sortable: true },
  { id: "type", label: "Type", track: "minmax(72px, 1fr)", min: 60, sortable: true },
  { id: "status", label: "Status", track: "minmax(64px, 0.8fr)", min: 60, sortable: true },
  { id: "serial", label: "Serial", track: "minmax(80px, 1fr)", min: 60, sortable: true },
  { id: "assetTag", label: "Asset tag", track: "minmax(72px, 0.8fr)", min: 60, sortable: true },
  {
    id: "manufacturer",
    label: "Manufacturer",
    track: "minmax(80px, 1fr)",
    min: 60,
    sortable: true,
  },
  { id: "model", label: "Model", track: "minmax(90px, 1fr)", min: 60, sortable: true },
  { id: "ip", label: "IP address", track: "minmax(90px, 0.9fr)", min: 60, sortable: false },
  { id: "warrantyEnd", label: "Warranty", track: "150px", min: 90, sortable: true },
  { id: "syncState", label: "Sync", track: "92px", min: 72, sortable: true },
];

/** A shown column and its width in px (`null`: not resized, the default track). */
export interface ColumnPref {
  id: ColumnId;
  width: number | null;
}

export const DEFAULT_COLUMNS: ColumnPref[] = (
  ["name", "client", "type", "status", "serial", "warrantyEnd", "syncState"] as ColumnId[]
).map((id) => ({ id, width: null }));

/** What the list remembers between runs: its columns and order. */
export interface ListPrefs {
  columns: ColumnPref[];
  sort: CatalogSort;
}

/** A named filter + search + columns + order the user can come back to. */
export interface SavedView {
  name: string;
  filters: ListFilters;
  sort: CatalogSort;
  columns: ColumnPref[];
}

export const PREFS_KEY = "assetdesk.assets.list.v1";
export const VIEWS_KEY = "assetdesk.assets.views.v1";

const DEF = new Map(COLUMN_DEFS.map((c) => [c.id, c]));

export function columnDef(id: ColumnId): ColumnDef | undefined {
  return DEF.get(id);
}

/** Keeps known, unique columns with sane widths; the name column always stays. */
export function sanitizeColumns(input: unknown): ColumnPref[] {
  if (!Array.isArray(input)) return DEFAULT_COLUMNS;
  const seen = new Set<ColumnId>();
  const out: ColumnPref[] = [];
  for (const c of input) {
    const id = (c as { id?: unknown })?.id as ColumnId;
    const def = DEF.get(id);
    if (!def || seen.has(id)) continue;
    seen.add(id);
    const w = (c as { width?: unknown }).width;
    const width = typeof w === "number" && Number.isFinite(w) ? Math.max(def.min, w) : null;
    out.push({ id, width });
  }
  if (!seen.has("name")) out.unshift({ id: "name", width: null });
  return out;
}

function sanitizeSort(input: unknown): CatalogSort {
  const s = input as Partial<CatalogSort> | null;
  const def = s && typeof s.column === "string" ? DEF.get(s.column) : undefined;
  return def?.sortable
    ? { column: def.id as SortColumn, descending: s?.descending === true }
    : DEFAULT_SORT;
}

function sanitizeFilters(input: unknown): ListFilters {
  const f = { ...NO_FILTERS };
  if (input && typeof input === "object") {
    for (const key of Object.keys(NO_FILTERS) as (keyof ListFilters)[]) {
      const v = (input as Record<string, unknown>)[key];
      if (key === "search") f.search = typeof v === "string" ? v : "";
      else if (typeof v === "string" || v === null) (f as Record<string, unknown>)[key] = v;
    }
  }
  return f;
}

function read(key: string): unknown {
  try {
    const text = window.localStorage.getItem(key);
    return text === null ? null : JSON.parse(text);
  } catch {
    // Unreadable (hand-edited, or storage disabled): start from the defaults.
    return null;
  }
}

function write(key: string, value: unknown): void {
  try {
    window.localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the preference lasts for this session only.
  }
}

export function loadPrefs(): ListPrefs {
  const raw = read(PREFS_KEY) as Partial<ListPrefs> | null;
  return {
    columns: raw?.columns ? sanitizeColumns(raw.columns) : DEFAULT_COLUMNS,
    sort: sanitizeSort(raw?.sort ?? null),
  };
}

export function savePrefs(prefs: ListPrefs): void {
  write(PREFS_KEY, prefs);
}

export function loadViews(): SavedView[] {
  const raw = read(VIEWS_KEY);
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((v) => v && typeof v.name === "string" && v.name.trim() !== "")
    .map((v) => ({
      name: String(v.name),
      filters: sanitizeFilters(v.filters),
      sort: sanitizeSort(v.sort),
      columns: sanitizeColumns(v.columns),
    }));
}

/** Saves (or replaces, by name) a view; returns the new list, sorted by name. */
export function upsertView(views: SavedView[], view: SavedView): SavedView[] {
  const next = [...views.filter((v) => v.name !== view.name), view].sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  write(VIEWS_KEY, next);
  return next;
}

export function removeView(views: SavedView[], name: string): SavedView[] {
  const next = views.filter((v) => v.name !== name);
  write(VIEWS_KEY, next);
  return next;
}

/** The CSS grid tracks of the shown columns. */
export function gridTemplate(columns: ColumnPref[]): string {
  return columns
    .map((c) => (c.width === null ? (DEF.get(c.id)?.track ?? "100px") : `${c.width}px`))
    .join(" ");
}

/** Shows or hides a column (hidden ones come back at their place in `COLUMN_DEFS`). */
export function toggleColumn(columns: ColumnPref[], id: ColumnId): ColumnPref[] {
  if (id === "name") return columns;
  if (columns.some((c) => c.id === id)) return columns.filter((c) => c.id !== id);
  const order = COLUMN_DEFS.map((c) => c.id);
  return [...columns, { id, width: null }].sort(
    (a, b) => order.indexOf(a.id) - order.indexOf(b.id),
  );
}

export function resizeColumn(columns: ColumnPref[], id: ColumnId, width: number): ColumnPref[] {
  const min = DEF.get(id)?.min ?? 60;
  return columns.map((c) => (c.id === id ? { ...c, width: Math.max(min, Math.round(width)) } : c));
}

/** The narrowest the shown columns can be together: below it the table scrolls sideways. */
export function minTableWidth(columns: ColumnPref[]): number {
  return columns.reduce((sum, c) => {
    if (c.width !== null) return sum + c.width;
    const m = /(\d+)px/.exec(DEF.get(c.id)?.track ?? "");
    return sum + (m ? Number(m[1]) : 100);
  }, 0);
}
