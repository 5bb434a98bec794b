/** What a neutral field name reads as in the UI (journal, sync queue). */
const LABELS: Record<string, string> = {
  name: "Name",
  client_id: "Client",
  site_id: "Site",
  user_ids: "Users",
  type_id: "Type",
  status_id: "Status",
  serial: "Serial",
  asset_tag: "Asset tag",
  manufacturer: "Manufacturer",
  model: "Model",
  os: "OS",
  os_version: "OS version",
  ip: "IP address",
  mac: "MAC address",
  purchase_date: "Purchase date",
  purchase_price_cents: "Price (cents)",
  warranty_start: "Warranty start",
  warranty_end: "Warranty end",
  notes: "Notes",
  inactive: "Inactive",
  parent_id: "Parent",
  ticket: "Ticket",
};

/** `custom:RAM` → "RAM"; neutral names → their label. */
export function fieldLabel(field: string): string {
  return field.startsWith("custom:") ? field.slice("custom:".length) : (LABELS[field] ?? field);
}
