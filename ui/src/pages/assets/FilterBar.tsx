import { Button, CloseButton, Group, Kbd, Select, TextInput } from "@mantine/core";
import { IconSearch } from "@tabler/icons-react";
import type { Ref } from "react";
import type { FilterOptions, LookupOption } from "../../host";
import { hasFilters, type ListFilters, lookupValue, NO_FILTERS } from "./listState";

interface FilterBarProps {
  filters: ListFilters;
  options: FilterOptions | undefined;
  onChange: (next: ListFilters) => void;
  searchRef: Ref<HTMLInputElement>;
}

/** Several connections: each option names its connection so equal names stay apart. */
function lookupData(items: LookupOption[], options: FilterOptions, connection: string | null) {
  const many = options.connections.length > 1;
  const names = new Map(options.connections.map((c) => [c.id, c.name]));
  return items
    .filter((o) => connection === null || o.connectionId === connection)
    .map((o) => ({
      value: lookupValue(o.connectionId, o.remoteId),
      label:
        many && connection === null ? `${o.name} · ${names.get(o.connectionId) ?? ""}` : o.name,
    }));
}

const WARRANTY = [
  { value: "expired", label: "Expired" },
  { value: "30", label: "Ends ≤ 30 days" },
  { value: "60", label: "Ends ≤ 60 days" },
  { value: "90", label: "Ends ≤ 90 days" },
  { value: "unknown", label: "No warranty date" },
];

const SYNC = [
  { value: "synced", label: "Synced" },
  { value: "pending", label: "Pending" },
  { value: "failed", label: "Failed" },
  { value: "conflict", label: "Conflict" },
];

const ACTIVE = [
  { value: "active", label: "Active" },
  { value: "inactive", label: "Inactive" },
];

/** Search box and the filters of the asset list; every change applies at once. */
export function FilterBar({ filters, options, onChange, searchRef }: FilterBarProps) {
  const set = <K extends keyof ListFilters>(key: K, value: ListFilters[K]) =>
    onChange({ ...filters, [key]: value });
  const select = (
    key: "connection" | "client" | "type" | "status",
    placeholder: string,
    data: { value: string; label: string }[],
  ) => (
    <Select
      aria-label={placeholder}
      placeholder={placeholder}
      data={data}
      value={filters[key]}
      onChange={(v) =>
        onChange(
          key === "connection"
            ? { ...filters, connection: v, client: null, type: null, status: null }
            : { ...filters, [key]: v },
        )
      }
      clearable
      searchable
      size="xs"
      w={128}
      comboboxProps={{ withinPortal: true }}
    />
  );
  return (
    <Group gap="xs" wrap="wrap" data-testid="filter-bar">
      <TextInput
        ref={searchRef}
        aria-label="Search assets"
        placeholder="Search name, serial, tag, model…"
        value={filters.search}
        onChange={(e) => set("search", e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape" && filters.search !== "") {
            e.stopPropagation();
            set("search", "");
          }
        }}
        leftSection={<IconSearch size={14} aria-hidden />}
        rightSection={
          filters.search ? (
            <CloseButton size="xs" aria-label="Clear search" onClick={() => set("search", "")} />
          ) : (
            <Kbd size="xs">/</Kbd>
          )
        }
        size="xs"
        w={240}
      />
      {options && options.connections.length > 1
        ? select(
            "connection",
            "Connection",
            options.connections.map((c) => ({ value: c.id, label: c.name })),
          )
        : null}
      {options
        ? select("client", "Client", lookupData(options.clients, options, filters.connection))
        : null}
      {options
        ? select("type", "Type", lookupData(options.types, options, filters.connection))
        : null}
      {options && options.statuses.length > 0
        ? select("status", "Status", lookupData(options.statuses, options, filters.connection))
        : null}
      <Select
        aria-label="Active"
        placeholder="Active or not"
        data={ACTIVE}
        value={filters.active}
        onChange={(v) => set("active", v as ListFilters["active"])}
        clearable
        size="xs"
        w={120}
      />
      <Select
        aria-label="Warranty"
        placeholder="Warranty"
        data={WARRANTY}
        value={filters.warranty}
        onChange={(v) => set("warranty", v as ListFilters["warranty"])}
        clearable
        size="xs"
        w={150}
      />
      <Select
        aria-label="Sync state"
        placeholder="Sync state"
        data={SYNC}
        value={filters.sync}
        onChange={(v) => set("sync", v as ListFilters["sync"])}
        clearable
        size="xs"
        w={120}
      />
      {hasFilters(filters) ? (
        <Button variant="subtle" size="xs" onClick={() => onChange(NO_FILTERS)}>
          Clear filters
        </Button>
      ) : null}
    </Group>
  );
}
