import { Box, Button, Group, Stack, Switch } from "@mantine/core";
import { IconCalendarOff } from "@tabler/icons-react";
import { useCallback, useMemo, useRef, useState } from "react";
import { HostErrorAlert } from "../../components/HostErrorAlert";
import { Page } from "../../components/Page";
import { PageEmptyState } from "../../components/PageEmptyState";
import {
  type CalendarLayer,
  useCalendarRange,
  useFilterOptions,
  usePrefetchCalendarRange,
} from "../../host";
import { useNavigation } from "../../lib/navigation";
import { localToday } from "../assets/listState";
import { AssetDrawer } from "./AssetDrawer";
import { CalendarFilters } from "./CalendarFilters";
import { DayDrawer } from "./DayDrawer";
import { ExpiringPanel } from "./ExpiringPanel";
import { ExportMenu } from "./ExportMenu";
import {
  type CalendarFilterState,
  NO_CALENDAR_FILTERS,
  optionValue,
  toCalendarFilter,
} from "./filters";
import { Legend } from "./Legend";
import { RefreshPanel } from "./RefreshPanel";
import { WarrantyCalendar } from "./WarrantyCalendar";

/**
 * The warranty calendar: month, week and agenda views of warranty ends coloured on the one
 * urgency scale, filters, the "expiring in the next N days" panel, inline renew, ICS/CSV
 * export and the refresh-planning layer. Only the visible range is ever queried.
 */
export function CalendarPage() {
  const { navigate } = useNavigation();
  const today = useMemo(() => localToday(), []);
  const options = useFilterOptions();
  const [filters, setFilters] = useState<CalendarFilterState>(NO_CALENDAR_FILTERS);
  const [visible, setVisible] = useState<{ from: string; to: string } | null>(null);
  const [refreshOn, setRefreshOn] = useState(false);
  const [years, setYears] = useState(5);
  const [expiringDays, setExpiringDays] = useState(90);
  const [assetId, setAssetId] = useState<number | null>(null);
  const [day, setDay] = useState<{ date: string; layer: CalendarLayer } | null>(null);

  const filter = useMemo(() => toCalendarFilter(filters), [filters]);
  const openAsset = useCallback((id: number) => {
    setDay(null);
    setAssetId(id);
  }, []);
  const request = (from: string, to: string) => ({
    filter,
    from,
    to,
    today,
    refreshYears: refreshOn ? years : null,
  });
  const range = useCalendarRange(visible ? request(visible.from, visible.to) : null);
  const prefetchRange = usePrefetchCalendarRange();
  // The calendar is memoized: stable callbacks let it skip renders that change nothing of
  // its own (a month grid with its events is the most expensive thing on this page).
  const requestRef = useRef(request);
  requestRef.current = request;
  const onRange = useCallback(
    (from: string, to: string) => {
      prefetchRange(requestRef.current(from, to));
      setVisible((v) => (v && v.from === from && v.to === to ? v : { from, to }));
    },
    [prefetchRange],
  );
  const onOpenDay = useCallback(
    (d: { date: string; layer: CalendarLayer }) => setDay({ date: d.date, layer: d.layer }),
    [],
  );

  // Like the asset list: no connection, or no cache to ask (outside the desktop app, or the
  // cache cannot be read — the top bar says why), means there is nothing to put on a calendar.
  const waiting = options.isPending && options.fetchStatus !== "idle";
  if (!waiting && (!options.data || options.data.connections.length === 0)) {
    return (
      <Page title="Calendar" description="Warranty end dates of your assets, by day.">
        <PageEmptyState
          icon={IconCalendarOff}
          title="No warranties yet"
          description="Nothing has been synced, so there are no warranty dates to show. They appear here after the first sync of a HaloPSA or Syncro connection."
          actions={
            <Button variant="default" onClick={() => navigate("settings")}>
              Open Settings
            </Button>
          }
        />
      </Page>
    );
  }

  return (
    <Page
      title="Calendar"
      description="Warranty end dates of your assets, by day. Click an event for the asset; renew inline."
    >
      <Stack gap="sm" style={{ flex: 1, minHeight: 0 }}>
        <CalendarFilters filters={filters} options={options.data} onChange={setFilters} />
        <Group justify="space-between" gap="xs" wrap="wrap">
          <Legend refresh={refreshOn} />
          <Group gap="sm" wrap="nowrap">
            <Switch
              size="xs"
              label="Refresh layer"
              data-testid="refresh-layer"
              checked={refreshOn}
              onChange={(e) => setRefreshOn(e.currentTarget.checked)}
            />
            <ExportMenu filter={filter} range={visible} today={today} />
          </Group>
        </Group>
        {range.error ? (
          <HostErrorAlert
            title="Could not load the calendar"
            error={range.error}
            onRetry={() => void range.refetch()}
          />
        ) : null}
        <Group align="stretch" gap="md" wrap="nowrap" style={{ flex: 1, minHeight: 0 }}>
          <WarrantyCalendar
            range={range.data}
            onRange={onRange}
            onOpenAsset={openAsset}
            onOpenDay={onOpenDay}
          />
          <Box w={320} style={{ flexShrink: 0, overflowY: "auto" }}>
            <Stack gap="lg">
              <ExpiringPanel
                filter={filter}
                today={today}
                days={expiringDays}
                onDaysChange={setExpiringDays}
                onPickClient={(connectionId, clientId) =>
                  setFilters((f) => ({ ...f, clients: [optionValue(connectionId, clientId)] }))
                }
              />
              {refreshOn ? (
                <RefreshPanel
                  filter={filter}
                  today={today}
                  years={years}
                  onYearsChange={setYears}
                  onOpen={openAsset}
                />
              ) : null}
            </Stack>
          </Box>
        </Group>
      </Stack>
      <AssetDrawer
        assetId={assetId}
        today={today}
        onOpen={openAsset}
        onEdit={() => navigate("assets")}
        onClose={() => setAssetId(null)}
      />
      <DayDrawer
        day={day}
        filter={filter}
        today={today}
        refreshYears={refreshOn ? years : null}
        onOpen={openAsset}
        onClose={() => setDay(null)}
      />
    </Page>
  );
}
