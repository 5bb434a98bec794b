import type { CalendarFilter, LookupKey } from "../../host";

/** The calendar's filter bar state: select values are `connection:remoteId`. */
export interface CalendarFilterState {
  connections: string[];
  clients: string[];
  sites: string[];
  types: string[];
  statuses: string[];
  includeInactive: boolean;
}

export const NO_CALENDAR_FILTERS: CalendarFilterState = {
  connections: [],
  clients: [],
  sites: [],
  types: [],
  statuses: [],
  includeInactive: false,
};

/** `connection:remoteId`, the value a lookup option has in a select. */
export function optionValue(connectionId: string, remoteId: number): string {
  return `${connectionId}:${remoteId}`;
}

function keys(values: string[]): LookupKey[] {
  return values.flatMap((v) => {
    const at = v.lastIndexOf(":");
    const remoteId = Number(v.slice(at + 1));
    return at < 0 || !Number.isSafeInteger(remoteId)
      ? []
      : [{ connectionId: v.slice(0, at), remoteId }];
  });
}

/** The backend filter for the bar's state. */
export function toCalendarFilter(f: CalendarFilterState): CalendarFilter {
  return {
    connections: f.connections,
    clients: keys(f.clients),
    sites: keys(f.sites),
    types: keys(f.types),
    statuses: keys(f.statuses),
    includeInactive: f.includeInactive,
  };
}

export function hasCalendarFilters(f: CalendarFilterState): boolean {
  return (
    f.includeInactive ||
    [f.connections, f.clients, f.sites, f.types, f.statuses].some((l) => l.length > 0)
  );
}
