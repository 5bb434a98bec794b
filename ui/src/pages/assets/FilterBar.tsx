import { Button, CloseButton, Group, Kbd, Select, TextInput } from "@mantine/core";
import { IconSearch } from "@tabler/icons-react";
import { type Dispatch, memo, type Ref, type SetStateAction, useMemo } from "react";
import type { FilterOptions, LookupOption } from "../../host";
import { hasFilters, type ListFilters, lookupValue, NO_FILTERS } from "./listState";

interface FilterBarProps {
  filters: ListFilters;
  options: FilterOptions | undefined;
  /** The list's state setter (functional updates keep the memoized parts independent). */
  onChange: Dispatch<SetStateAction<ListFilters>>;
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

type SetFilters = Dispatch<SetStateAction<ListFilters>>;

/**
 * Search box and the filters of the asset list; every change applies at once. Typing
 * re-renders only the search box: the selects (hundreds of clients each) are a separate
 * memoized component that sees the filter values, not the search text.
 */
export function FilterBar({ filters, options, onChange, searchRef }: FilterBarProps) {
  return (
    <Group gap="xs" wrap="wrap" data-testid="filter-bar">
      <SearchBox search={filters.search} onChange={onChange} searchRef={searchRef} />
      <FilterSelects
        options={options}
        connection={filters.connection}
        client={filters.client}
        type={filters.type}
        status={filters.status}
        active={filters.active}
        warranty={filters.warranty}
        sync={filters.sync}
        onChange={onChange}
      />
      {hasFilters(filters) ? (
        <Button variant="subtle" size="xs" onClick={() => onChange(NO_FILTERS)}>
          Clear filters
        </Button>
      ) : null}
    </Group>
  );
}

const SearchBox = memo(function SearchBox({
  search,
  onChange,
  searchRef,
}: {
  search: string;
  onChange: SetFilters;
  searchRef: Ref<HTMLInputElement>;
}) {
  const setSearch = (value: string) => onChange((f) => ({ ...f, search: value }));
  return (
    <TextInput
      ref={searchRef}
      aria-label="Search assets"
      placeholder="Search name, serial, tag, model…"
      value={search}
      onChange={(e) => setSearch(e.currentTarget.value)}
      onKeyDown={(e) => {
        if (e.key === "Escape" && search !== "") {
          e.stopPropagation();
          setSearch("");
        }
      }}
      leftSection={<IconSearch size={14} aria-hidden />}
      rightSection={
        search ? (
          <CloseButton size="xs" aria-label="Clear search" onClick={() => setSearch("")} />
        ) : (
          <Kbd size="xs">/</Kbd>
        )
      }
      size="xs"
      w={240}
    />
  );
});

type SelectKey = "connection" | "client" | "type" | "status";

const FilterSelects = memo(function FilterSelects({
  options,
  onChange,
  ...values
}: Pick<ListFilters, SelectKey | "active" | "warranty" | "sync"> & {
  options: FilterOptions | undefined;
  onChange: SetFilters;
}) {
  const { connection } = values;
  const data = useMemo(
    () =>
      options
        ? {
            connections: options.connections.map((c) => ({ value: c.id, label: c.name })),
            clients: lookupData(options.clients, options, connection),
            types: lookupData(options.types, options, connection),
            statuses: lookupData(options.statuses, options, connection),
          }
        : null,
    [options, connection],
  );
  const set = <K extends keyof ListFilters>(key: K, value: ListFilters[K]) =>
    onChange((f) => ({ ...f, [key]: value }));
  const select = (
    key: SelectKey,
    placeholder: string,
    items: { value: string; label: string }[],
  ) => (
    <Select
      aria-label={placeholder}
      placeholder={placeholder}
      data={items}
      value={values[key]}
      onChange={(v) =>
        onChange((f) =>
          key === "connection"
            ? { ...f, connection: v, client: null, type: null, status: null }
            : { ...f, [key]: v },
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
    <>
      {data && data.connections.length > 1
        ? select("connection", "Connection", data.connections)
        : null}
      {data ? select("client", "Client", data.clients) : null}
      {data ? select("type", "Type", data.types) : null}
      {data && data.statuses.length > 0 ? select("status", "Status", data.statuses) : null}
      <Select
        aria-label="Active"
        placeholder="Active or not"
        data={ACTIVE}
        value={values.active}
        onChange={(v) => set("active", v as ListFilters["active"])}
        clearable
        size="xs"
        w={120}
      />
      <Select
        aria-label="Warranty"
        placeholder="Warranty"
        data={WARRANTY}
        value={values.warranty}
        onChange={(v) => set("warranty", v as ListFilters["warranty"])}
        clearable
        size="xs"
        w={150}
      />
      <Select
        aria-label="Sync state"
        placeholder="Sync state"
        data={SYNC}
        value={values.sync}
        onChange={(v) => set("sync", v as ListFilters["sync"])}
        clearable
        size="xs"
        w={120}
      />
    </>
  );
});
