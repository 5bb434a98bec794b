import type { AssetDetail, AssetFields, FieldError, Value } from "../../host";

/** The neutral fields of an asset, in the names validation and patches use (`AssetField`). */
export type NeutralField = Exclude<keyof AssetFields, "custom">;

const NEUTRAL: NeutralField[] = [
  "name",
  "client_id",
  "site_id",
  "user_ids",
  "type_id",
  "status_id",
  "serial",
  "asset_tag",
  "manufacturer",
  "model",
  "os",
  "os_version",
  "ip",
  "mac",
  "purchase_date",
  "purchase_price_cents",
  "warranty_start",
  "warranty_end",
  "notes",
  "inactive",
];

/** A new asset's form: nothing set. */
export function emptyFields(): AssetFields {
  return {
    name: "",
    client_id: null,
    site_id: null,
    user_ids: [],
    type_id: null,
    status_id: null,
    serial: null,
    asset_tag: null,
    manufacturer: null,
    model: null,
    os: null,
    os_version: null,
    ip: null,
    mac: null,
    purchase_date: null,
    purchase_price_cents: null,
    warranty_start: null,
    warranty_end: null,
    notes: null,
    inactive: false,
    custom: {},
  };
}

/** The editable fields of an asset as its detail shows them. */
export function fieldsFromDetail(d: AssetDetail): AssetFields {
  const custom: Record<string, Value> = {};
  for (const f of d.customFields) {
    if (f.value !== null) custom[f.key] = f.value;
  }
  return {
    name: d.name,
    client_id: d.client?.id ?? null,
    site_id: d.site?.id ?? null,
    user_ids: d.users.map((u) => u.id),
    type_id: d.type?.id ?? null,
    status_id: d.status?.id ?? null,
    serial: d.serial,
    asset_tag: d.assetTag,
    manufacturer: d.manufacturer,
    model: d.model,
    os: d.os,
    os_version: d.osVersion,
    ip: d.ip,
    mac: d.mac,
    purchase_date: d.purchaseDate,
    purchase_price_cents: d.purchasePriceCents,
    warranty_start: d.warrantyStart,
    warranty_end: d.warrantyEnd,
    notes: d.notes,
    inactive: d.inactive,
    custom,
  };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * The fields the user changed, by field name (`serial`, `custom:RAM`): what an update sends,
 * so a value the provider changed while the form was open is not overwritten.
 */
export function changedFields(initial: AssetFields, current: AssetFields): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const f of NEUTRAL) {
    if (!same(initial[f], current[f])) out[f] = (current[f] ?? null) as Value;
  }
  const keys = new Set([...Object.keys(initial.custom), ...Object.keys(current.custom)]);
  for (const k of keys) {
    if (!same(initial.custom[k], current.custom[k])) out[`custom:${k}`] = current.custom[k] ?? null;
  }
  return out;
}

/** Text inputs hold "" for nothing; the backend wants `null`. */
export function blankToNull(v: string): string | null {
  return v.trim() === "" ? null : v;
}

/** Findings grouped by field name, errors before warnings. */
export function findingsByField(findings: FieldError[]): Map<string, FieldError[]> {
  const out = new Map<string, FieldError[]>();
  const sorted = [...findings].sort(
    (a, b) => Number(a.severity === "warning") - Number(b.severity === "warning"),
  );
  for (const f of sorted) out.set(f.field, [...(out.get(f.field) ?? []), f]);
  return out;
}

/** Minor units (cents) ↔ the decimal amount a user types. */
export function centsToAmount(cents: number | null): number | "" {
  return cents === null ? "" : cents / 100;
}

export function amountToCents(amount: number | string): number | null {
  if (amount === "" || amount === null) return null;
  const n = typeof amount === "number" ? amount : Number(amount);
  return Number.isFinite(n) ? Math.round(n * 100) : null;
}
