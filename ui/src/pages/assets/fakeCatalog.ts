/**
 * An in-memory catalog answering the asset commands like the backend would (filters, search,
 * sort, keyset pages), for component tests and for looking at the page in a browser without
 * the desktop app. Not imported by the app itself.
 */
import type {
  AssetDetail,
  AssetPage,
  AssetPageRequest,
  AssetRow,
  CatalogFilter,
  FilterOptions,
  RowSyncState,
} from "../../host";

const CLIENTS = ["Acme Dental", "Globex Logistics", "Initech", "Umbrella Clinics", "Stark Law"];
const TYPES = ["Laptop", "Desktop", "Server", "Firewall", "Printer", "Switch"];
const MAKERS: [string, string][] = [
  ["Dell", "Latitude 7440"],
  ["HP", "EliteBook 840 G10"],
  ["Lenovo", "ThinkPad T14"],
  ["Dell", "PowerEdge R650"],
  ["Fortinet", "FortiGate 60F"],
  ["Brother", "HL-L2350DW"],
  ["Cisco", "Catalyst 9200"],
];
const STATES: RowSyncState[] = [
  "synced",
  "synced",
  "synced",
  "synced",
  "pending",
  "failed",
  "conflict",
];

export const FAKE_OPTIONS: FilterOptions = {
  connections: [
    { id: "halo-1", name: "Contoso Halo", provider: "halo", demo: true },
    { id: "syncro-1", name: "Northwind Syncro", provider: "syncro", demo: true },
  ],
  clients: CLIENTS.map((name, i) => ({ connectionId: "halo-1", remoteId: i + 1, name })),
  sites: [],
  types: TYPES.map((name, i) => ({ connectionId: "halo-1", remoteId: i + 1, name })),
  statuses: [
    { connectionId: "halo-1", remoteId: 1, name: "In use" },
    { connectionId: "halo-1", remoteId: 2, name: "In stock" },
  ],
};

function addDays(today: string, days: number): string {
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** `n` deterministic rows; warranty ends spread over the urgency scale around `today`. */
export function makeRows(n: number, today: string): AssetRow[] {
  return Array.from({ length: n }, (_, i) => {
    const [maker, model] = MAKERS[i % MAKERS.length] ?? ["Dell", "Latitude"];
    const type = TYPES[i % TYPES.length] ?? "Laptop";
    const client = CLIENTS[i % CLIENTS.length] ?? "Acme";
    const halo = Math.floor(i / 7) % 2 === 0;
    return {
      id: i + 1,
      connectionId: halo ? "halo-1" : "syncro-1",
      provider: halo ? "halo" : "syncro",
      remoteId: i % 17 === 5 ? null : 1000 + i,
      name: `${client.split(" ")[0]?.toUpperCase()}-${type.slice(0, 3).toUpperCase()}-${String(i + 1).padStart(4, "0")}`,
      clientName: client,
      siteName: i % 4 === 0 ? "Head office" : null,
      typeName: type,
      statusName: i % 9 === 0 ? "In stock" : "In use",
      serial: `SN${(7_340_000 + i * 37).toString(36).toUpperCase()}`,
      assetTag: `T-${10_000 + i}`,
      manufacturer: maker,
      model,
      ip: `10.0.${i % 250}.${(i * 7) % 250}`,
      warrantyEnd: i % 11 === 10 ? null : addDays(today, ((i * 37) % 500) - 120),
      inactive: i % 23 === 22,
      parentId: null,
      hasChildren: i % 13 === 0,
      syncState: STATES[i % STATES.length] ?? "synced",
    } satisfies AssetRow;
  });
}

function matches(row: AssetRow, f: CatalogFilter): boolean {
  const connections = f.connections ?? [];
  const syncStates = f.syncStates ?? [];
  if (connections.length > 0 && !connections.includes(row.connectionId)) return false;
  if (syncStates.length > 0 && !syncStates.includes(row.syncState)) return false;
  if (f.active != null && f.active === row.inactive) return false;
  const client = f.clients?.[0];
  if (client && row.clientName !== CLIENTS[client.remoteId - 1]) return false;
  const type = f.types?.[0];
  if (type && row.typeName !== TYPES[type.remoteId - 1]) return false;
  if (f.search) {
    const hay = [row.name, row.serial, row.assetTag, row.model, row.manufacturer]
      .join(" ")
      .toLowerCase()
      .split(/[^a-z0-9]+/);
    const words = f.search
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean);
    if (!words.every((w) => hay.some((h) => h.startsWith(w)))) return false;
  }
  return true;
}

/** The `asset_page` answer over `rows`; the cursor is the index of the next row. */
export function fakePage(rows: AssetRow[], req: AssetPageRequest): AssetPage {
  const column = req.sort.column;
  const key = (r: AssetRow): string =>
    String(
      column === "client"
        ? r.clientName
        : column === "type"
          ? r.typeName
          : column === "warrantyEnd"
            ? r.warrantyEnd
            : column === "syncState"
              ? r.syncState
              : r.name,
    );
  const all = rows
    .filter((r) => matches(r, req.filter))
    .sort((a, b) => key(a).localeCompare(key(b)));
  if (req.sort.descending) all.reverse();
  const start = req.after == null ? 0 : Number(req.after);
  const slice = all.slice(start, start + req.limit);
  return { rows: slice, next: start + req.limit < all.length ? String(start + req.limit) : null };
}

export function fakeCount(rows: AssetRow[], filter: CatalogFilter): number {
  return rows.filter((r) => matches(r, filter)).length;
}

/** The `asset_detail` answer for one of `rows`. */
export function fakeDetail(rows: AssetRow[], id: number): AssetDetail {
  const r = rows.find((x) => x.id === id) ?? rows[0];
  if (!r) throw new Error(`no fake asset ${id}`);
  const children = r.hasChildren ? rows.filter((x) => x.id > r.id).slice(0, 2) : [];
  return {
    id: r.id,
    connectionId: r.connectionId,
    connectionName: r.provider === "halo" ? "Contoso Halo" : "Northwind Syncro",
    provider: r.provider,
    remoteId: r.remoteId,
    syncState: r.syncState,
    deleted: false,
    name: r.name,
    client: { id: 1, name: r.clientName },
    site: r.siteName === null ? null : { id: 3, name: r.siteName },
    users: [{ id: 7, name: "Grace Hopper" }],
    type: { id: 1, name: r.typeName },
    status: { id: 1, name: r.statusName },
    serial: r.serial,
    assetTag: r.assetTag,
    manufacturer: r.manufacturer,
    model: r.model,
    os: "Windows 11 Pro",
    osVersion: "23H2",
    ip: r.ip,
    mac: "00:1A:2B:3C:4D:5E",
    purchaseDate: "2023-02-14",
    purchasePriceCents: 129_900,
    warrantyStart: "2023-02-14",
    warrantyEnd: r.warrantyEnd,
    notes: "Imaged with the standard build. Docking station at desk 14.",
    inactive: r.inactive,
    customFields: [
      { key: "ram", label: "RAM (GB)", kind: { kind: "number" }, value: 32 },
      { key: "encrypted", label: "Disk encrypted", kind: { kind: "boolean" }, value: true },
    ],
    agent: [
      { key: "cpu", value: "Intel Core i7-1365U" },
      { key: "last_seen", value: "2026-11-22 08:14" },
      { key: "online", value: "yes" },
    ],
    rmmIds: [],
    remoteUpdatedAt: null,
    ancestors: [],
    children: children.map((c) => ({
      id: c.id,
      name: c.name,
      typeName: c.typeName,
      syncState: c.syncState,
      depth: 1,
    })),
    childrenTruncated: false,
  };
}

/** A stand-in for Tauri's `invoke` answering the catalog commands from `rows`. */
export function fakeInvoke(rows: AssetRow[], options: FilterOptions = FAKE_OPTIONS) {
  return async (cmd: string, args?: Record<string, unknown>): Promise<unknown> => {
    switch (cmd) {
      case "filter_options":
        return options;
      case "asset_page":
        return fakePage(rows, args?.request as AssetPageRequest);
      case "asset_count":
        return fakeCount(rows, args?.filter as CatalogFilter);
      case "asset_detail":
        return fakeDetail(rows, args?.id as number);
      default:
        throw new Error(`the fake host does not know ${cmd}`);
    }
  };
}
