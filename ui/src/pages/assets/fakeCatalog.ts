/**
 * An in-memory catalog answering the asset commands like the backend would (filters, search,
 * sort, keyset pages), for component tests and for looking at the page in a browser without
 * the desktop app. Not imported by the app itself.
 */
import type {
  AssetDetail,
  AssetDraft,
  AssetJournal,
  AssetPage,
  AssetPageRequest,
  AssetRow,
  BulkChange,
  BulkEditResult,
  CatalogFilter,
  CreateAssetRequest,
  DraftValidation,
  FieldError,
  FilterOptions,
  FormSchema,
  RowSyncState,
  SaveOutcome,
  UpdateAssetRequest,
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

/** The form schema of the fake Halo connection (the Syncro one hides status and site). */
export function fakeSchema(connectionId: string): FormSchema {
  const halo = connectionId === "halo-1";
  const field = (name: string, label: string, required = false, reason: string | null = null) => ({
    name,
    label,
    required,
    editable: reason === null,
    readOnlyReason: reason,
  });
  return {
    connectionId,
    connectionName: halo ? "Contoso Halo" : "Northwind Syncro",
    provider: halo ? "halo" : "syncro",
    capabilities: {
      delete_asset: halo,
      native_links: halo,
      asset_status: halo,
      multiple_users: halo,
      sites: halo,
      updated_since_filter: false,
    },
    fields: [
      field("name", "Name", true),
      field("client_id", "Client", true),
      field("type_id", "Type", true),
      field("serial", "Serial number"),
      field("ip", "IP address", false, halo ? null : "Reported by the Syncro agent"),
      field("mac", "MAC address", false, halo ? null : "Reported by the Syncro agent"),
    ],
    types: TYPES.map((name, i) => ({
      id: i + 1,
      name,
      fields:
        name === "Laptop"
          ? [
              { key: "ram", label: "RAM (GB)", kind: { kind: "number" }, required: false },
              {
                key: "tier",
                label: "Support tier",
                kind: { kind: "select", options: ["Gold", "Silver"] },
                required: true,
              },
            ]
          : [],
      // HaloPSA: a printer cannot be "In stock" in this fake tenant.
      allowedStatusIds: halo && name === "Printer" ? [1, 9] : null,
    })),
    clients: CLIENTS.map((name, i) => ({ connectionId, remoteId: i + 1, name })),
    sites: [{ id: 3, name: "Head office", clientId: 1, detail: null }],
    users: [{ id: 7, name: "Grace Hopper", clientId: 1, detail: "grace@acme.test" }],
    statuses: [
      { id: 1, name: "In use", retired: false },
      { id: 2, name: "In stock", retired: false },
      { id: 9, name: "Retired", retired: true },
    ],
  };
}

/** The rules the fake validates by: a small, faithful subset of the Rust ones. */
export function fakeValidate(rows: AssetRow[], draft: AssetDraft): DraftValidation {
  const f = draft.fields;
  const findings: FieldError[] = [];
  const err = (field: string, message: string) =>
    findings.push({ field, severity: "error", message });
  if (!f.name?.trim()) err("name", "Name is required");
  if (f.client_id == null)
    err("client_id", "Client is required: choose the client this asset belongs to");
  if (f.type_id == null)
    err("type_id", "Asset type is required: choose one of the connection's types");
  if (f.mac && !/^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(f.mac.trim())) {
    err("mac", `'${f.mac}' is not a MAC address: use six hex pairs like 00:1A:2B:3C:4D:5E`);
  }
  if (f.type_id === 1 && !f.custom?.tier) err("custom:tier", "Support tier is required for Laptop");
  const serial = f.serial?.trim();
  const dup = serial ? rows.filter((r) => r.serial === serial && r.id !== draft.assetId) : [];
  if (dup.length > 0) {
    findings.push({
      field: "serial",
      severity: "warning",
      message: `Serial '${serial}' is already used by ${dup.map((r) => r.name).join(", ")}; check it is not a duplicate`,
    });
  }
  return { ok: findings.every((x) => x.severity !== "error"), findings };
}

/** A stand-in for Tauri's `invoke` answering the catalog and edit commands from `rows`. */
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
      case "asset_form_schema":
        return fakeSchema(args?.connectionId as string);
      case "asset_tickets":
      case "refresh_asset_tickets":
        return { tickets: [], queued: [], fetchedAt: null, refreshError: null };
      case "asset_journal":
        return {
          lines: [
            {
              id: 1,
              at: "2026-11-20T10:00:00Z",
              actor: "tech",
              origin: "user",
              action: "update",
              changes: [
                { field: "serial", from: "SN-OLD", to: "SN-NEW", fromName: null, toName: null },
                { field: "client_id", from: 1, to: 2, fromName: "Acme Dental", toName: "Initech" },
              ],
              synced: false,
            },
          ],
          truncated: false,
        } satisfies AssetJournal;
      case "validate_asset_draft":
        return fakeValidate(rows, args?.draft as AssetDraft);
      case "create_asset": {
        const req = args?.request as CreateAssetRequest;
        const v = fakeValidate(rows, { connectionId: req.connectionId, fields: req.fields });
        if (!v.ok) return { kind: "invalid", findings: v.findings } satisfies SaveOutcome;
        const id = Math.max(0, ...rows.map((r) => r.id)) + 1;
        rows.push({ ...makeRows(1, "2026-01-01")[0], id, name: req.fields.name ?? "" } as AssetRow);
        return {
          kind: "saved",
          assetId: id,
          queued: true,
          warnings: v.findings.filter((x) => x.severity === "warning"),
        } satisfies SaveOutcome;
      }
      case "update_asset": {
        const req = args?.request as UpdateAssetRequest;
        const row = rows.find((r) => r.id === req.id);
        if (!row) throw { code: "not_found", message: `no asset with local id ${req.id}` };
        if ("name" in req.changes) row.name = String(req.changes.name);
        return {
          kind: "saved",
          assetId: req.id,
          queued: Object.keys(req.changes).length > 0,
          warnings: [],
        } satisfies SaveOutcome;
      }
      case "bulk_update_assets": {
        const req = args?.request as { ids: number[]; change: BulkChange };
        const out: BulkEditResult = { rows: [], updated: 0, unchanged: 0, failed: 0 };
        for (const id of req.ids) {
          const row = rows.find((r) => r.id === id);
          if (row && req.change.kind === "status" && row.provider === "syncro") {
            out.failed += 1;
            out.rows.push({
              id,
              name: row.name,
              status: "failed",
              message: "This provider has no asset status: clear the status",
            });
          } else if (row) {
            if (req.change.kind === "status") row.statusName = "Retired";
            if (req.change.kind === "retire") row.inactive = true;
            row.syncState = "pending";
            out.updated += 1;
            out.rows.push({ id, name: row.name, status: "updated", message: null });
          }
        }
        return out;
      }
      default:
        throw new Error(`the fake host does not know ${cmd}`);
    }
  };
}
