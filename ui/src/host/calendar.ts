import {
  keepPreviousData,
  skipToken,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import { useCallback } from "react";
import {
  type CalendarEvent_Serialize,
  type CalendarFilter_Deserialize,
  type CalendarLayer,
  type CalendarRange_Serialize,
  type CalendarRequest_Deserialize,
  type ClientValue_Serialize,
  commands,
  type DayPage_Serialize,
  type DayRequest_Deserialize,
  type DayTotal,
  type ExpiringRequest_Deserialize,
  type ExpiringSummary_Serialize,
  type ExportFormat,
  type ExportRequest_Deserialize,
  type ExportSummary,
  type RefreshPlan_Serialize,
  type RefreshRequest_Deserialize,
  type RefreshRow_Serialize,
  type RenewOutcome,
  type Urgency,
} from "../bindings";
import { assetKeys } from "./assets";
import type { HostError } from "./errors";
import { call } from "./ipc";
import { hostKeys } from "./queries";

/** What the UI sends as the calendar's filter (input direction of the generated type). */
export type CalendarFilter = CalendarFilter_Deserialize;
export type CalendarRequest = CalendarRequest_Deserialize;
export type CalendarRange = CalendarRange_Serialize;
export type CalendarEvent = CalendarEvent_Serialize;
export type ExpiringRequest = ExpiringRequest_Deserialize;
export type ExpiringSummary = ExpiringSummary_Serialize;
export type ClientValue = ClientValue_Serialize;
export type RefreshRequest = RefreshRequest_Deserialize;
export type RefreshPlan = RefreshPlan_Serialize;
export type RefreshRow = RefreshRow_Serialize;
export type ExportRequest = ExportRequest_Deserialize;
export type { CalendarLayer, DayTotal, ExportFormat, ExportSummary, RenewOutcome, Urgency };

/** `calendar_range`: the events of one visible range (a few per day, with day totals). */
export function getCalendarRange(request: CalendarRequest): Promise<CalendarRange> {
  return call(() => commands.calendarRange(request));
}

/** `expiring_summary`: count and purchase value per client of the next N days. */
export function getExpiringSummary(request: ExpiringRequest): Promise<ExpiringSummary> {
  return call(() => commands.expiringSummary(request));
}

/** `refresh_plan`: one page of assets older than N years by purchase date. */
export function getRefreshPlan(request: RefreshRequest): Promise<RefreshPlan> {
  return call(() => commands.refreshPlan(request));
}

/** `renew_warranty`: sets a new warranty end as a queued edit (works offline). */
export function renewWarranty(assetId: number, warrantyEnd: string): Promise<RenewOutcome> {
  return call(() => commands.renewWarranty(assetId, warrantyEnd));
}

/** `export_warranties`: writes the filtered range as ICS or CSV to `request.path`. */
export function exportWarranties(request: ExportRequest): Promise<ExportSummary> {
  return call(() => commands.exportWarranties(request));
}

/** `default_export_path`: `fileName` in the user's Downloads folder. */
export function defaultExportPath(fileName: string): Promise<string> {
  return call(() => commands.defaultExportPath(fileName));
}

/** `choose_export_path`: the system "Save as" dialog; `null` when cancelled. */
export function chooseExportPath(fileName: string, format: ExportFormat): Promise<string | null> {
  return call(() => commands.chooseExportPath(fileName, format));
}

/** Query keys of the calendar; `calendarKeys.all` is invalidated by any asset edit too. */
export const calendarKeys = {
  all: [...hostKeys.all, "calendar"] as const,
  range: (request: CalendarRequest) => [...calendarKeys.all, "range", request] as const,
  expiring: (request: ExpiringRequest) => [...calendarKeys.all, "expiring", request] as const,
  refresh: (request: RefreshRequest) => [...calendarKeys.all, "refresh", request] as const,
};

/**
 * The events of the visible range; idle until the calendar knows its range. The previous
 * range stays on screen while the next one loads, so paging months does not flash empty.
 */
export function useCalendarRange(request: CalendarRequest | null) {
  return useQuery<CalendarRange, HostError>({
    queryKey: request ? calendarKeys.range(request) : [...calendarKeys.all, "range", "idle"],
    queryFn: request ? () => getCalendarRange(request) : skipToken,
    placeholderData: keepPreviousData,
  });
}

/**
 * Starts loading a range the calendar has just moved to, from inside its "dates changed"
 * callback: the request leaves one render earlier than the query hook would send it (the
 * calendar paints its new grid in between), and the hook then finds it in flight.
 */
export function usePrefetchCalendarRange() {
  const queryClient = useQueryClient();
  return useCallback(
    (request: CalendarRequest) =>
      void queryClient.prefetchQuery({
        queryKey: calendarKeys.range(request),
        queryFn: () => getCalendarRange(request),
      }),
    [queryClient],
  );
}

/** The "expiring in the next N days" panel. */
export function useExpiringSummary(request: ExpiringRequest) {
  return useQuery<ExpiringSummary, HostError>({
    queryKey: calendarKeys.expiring(request),
    queryFn: () => getExpiringSummary(request),
    placeholderData: keepPreviousData,
  });
}

/** The refresh plan's first page (with totals); idle while the layer is off. */
export function useRefreshPlan(request: RefreshRequest | null) {
  return useQuery<RefreshPlan, HostError>({
    queryKey: request ? calendarKeys.refresh(request) : [...calendarKeys.all, "refresh", "idle"],
    queryFn: request ? () => getRefreshPlan(request) : skipToken,
    placeholderData: keepPreviousData,
  });
}

/** Renew inline: on success the calendar and every asset view refetch. */
export function useRenewWarranty() {
  const queryClient = useQueryClient();
  return useMutation<RenewOutcome, HostError, { assetId: number; warrantyEnd: string }>({
    mutationFn: ({ assetId, warrantyEnd }) => renewWarranty(assetId, warrantyEnd),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: calendarKeys.all });
      void queryClient.invalidateQueries({ queryKey: assetKeys.all });
    },
  });
}

/**
 * Export the filtered range: to the Downloads folder in one click, or (`saveAs`) to a path the
 * user picks in the system dialog. Resolves to `null` when the dialog was cancelled.
 */
export function useExportWarranties() {
  return useMutation<
    ExportSummary | null,
    HostError,
    { request: Omit<ExportRequest, "path">; fileName: string; saveAs: boolean }
  >({
    mutationFn: async ({ request, fileName, saveAs }) => {
      const path = saveAs
        ? await chooseExportPath(fileName, request.format)
        : await defaultExportPath(fileName);
      if (path === null) return null;
      return exportWarranties({ ...request, path });
    },
  });
}

export type DayRequest = DayRequest_Deserialize;
export type DayPage = DayPage_Serialize;

/** `calendar_day`: one page of every event on one day (a busy day's "+N more"). */
export function getCalendarDay(request: DayRequest): Promise<DayPage> {
  return call(() => commands.calendarDay(request));
}

/** Every event of one day, page by page as the user scrolls; idle while no day is open. */
export function useCalendarDay(request: Omit<DayRequest, "after"> | null) {
  return useInfiniteQuery<
    DayPage,
    HostError,
    { pages: DayPage[] },
    readonly unknown[],
    string | null
  >({
    queryKey: request
      ? [...calendarKeys.all, "day", request]
      : [...calendarKeys.all, "day", "idle"],
    queryFn: request
      ? ({ pageParam }) => getCalendarDay({ ...request, after: pageParam })
      : skipToken,
    initialPageParam: null,
    getNextPageParam: (last) => last.next,
  });
}
