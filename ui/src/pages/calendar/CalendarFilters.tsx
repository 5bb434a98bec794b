import { Button, Group, MultiSelect, Switch } from "@mantine/core";
import type { FilterOptions } from "../../host";
import {
  type CalendarFilterState,
  hasCalendarFilters,
  NO_CALENDAR_FILTERS,
  optionValue,
} from "./filters";

interface CalendarFiltersProps {
  filters: CalendarFilterState;
  options: FilterOptions | undefined;
  onChange: (f: CalendarFilterState) => void;
}

/** Connection, client, site, type and status filters plus "include inactive". */
export function CalendarFilters({ filters, options, onChange }: CalendarFiltersProps) {
  const multi = options !== undefined && options.connections.length > 1;
  const label = (name: string, connectionId: string) => {
    if (!multi) return name;
    const c = options?.connections.find((x) => x.id === connectionId);
    return c ? `${name} (${c.name})` : name;
  };
  const lookups = (list: FilterOptions["clients"] | undefined) =>
    (list ?? []).map((o) => ({
      value: optionValue(o.connectionId, o.remoteId),
      label: label(o.name, o.connectionId),
    }));
  const field = (key: "clients" | "sites" | "types" | "statuses", placeholder: string) => (
    <MultiSelect
      size="xs"
      w={170}
      placeholder={filters[key].length === 0 ? placeholder : undefined}
      aria-label={placeholder}
      data-testid={`calendar-filter-${key}`}
      data={lookups(options?.[key])}
      value={filters[key]}
      onChange={(v) => onChange({ ...filters, [key]: v })}
      searchable
      clearable
      maxDropdownHeight={260}
    />
  );
  return (
    <Group gap="xs" wrap="wrap" data-testid="calendar-filters">
      {multi ? (
        <MultiSelect
          size="xs"
          w={170}
          placeholder={filters.connections.length === 0 ? "All connections" : undefined}
          aria-label="Connections"
          data={(options?.connections ?? []).map((c) => ({ value: c.id, label: c.name }))}
          value={filters.connections}
          onChange={(v) => onChange({ ...filters, connections: v })}
          clearable
        />
      ) : null}
      {field("clients", "All clients")}
      {field("sites", "All sites")}
      {field("types", "All types")}
      {field("statuses", "All statuses")}
      <Switch
        size="xs"
        label="Include inactive"
        checked={filters.includeInactive}
        onChange={(e) => onChange({ ...filters, includeInactive: e.currentTarget.checked })}
      />
      {hasCalendarFilters(filters) ? (
        <Button size="xs" variant="subtle" onClick={() => onChange(NO_CALENDAR_FILTERS)}>
          Clear filters
        </Button>
      ) : null}
    </Group>
  );
}
