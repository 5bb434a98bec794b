import {
  infiniteQueryOptions,
  keepPreviousData,
  queryOptions,
  skipToken,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import { useEffect } from "react";
import type { CatalogSort } from "../bindings";
import {
  type AssetDetail_Serialize,
  type AssetDraft_Deserialize,
  type AssetFacets_Serialize,
  type AssetFields_Serialize,
  type AssetJournal,
  type AssetPage_Serialize,
  type AssetPageRequest_Deserialize,
  type AssetRow_Serialize,
  type BulkChange_Deserialize,
  type BulkEditResult_Serialize,
  type BulkRowResult_Serialize,
  type CatalogFilter_Deserialize,
  type CreateAssetRequest_Deserialize,
  type CustomFieldValue_Serialize,
  commands,
  type DraftValidation,
  type FieldError,
  type FilterOptions,
  type FormField_Serialize,
  type FormSchema_Serialize,
  type NamedRef_Serialize,
  type RelatedAsset_Serialize,
  type SaveOutcome,
  type ScopedOption_Serialize,
  type UpdateAssetRequest,
} from "../bindings";
import { markFirstCall } from "../lib/startupMarks";
import type { HostError } from "./errors";
import { onDataChanged } from "./events";
import { call, inDesktopApp } from "./ipc";
import { hostKeys } from "./queries";

// tauri-specta exports a type twice when its two serde directions differ (optional `Option`s
// on input). The UI only ever sends the inputs and receives the outputs, so these names pick
// the direction that applies.
/** What the UI sends as the list's filter. */
export type CatalogFilter = CatalogFilter_Deserialize;
/** What the UI sends to ask for one page. */
export type AssetPageRequest = AssetPageRequest_Deserialize;
export type AssetPage = AssetPage_Serialize;
export type AssetRow = AssetRow_Serialize;
export type AssetFacets = AssetFacets_Serialize;
export type AssetDetail = AssetDetail_Serialize;
export type NamedRef = NamedRef_Serialize;
export type CustomFieldValue = CustomFieldValue_Serialize;
export type RelatedAsset = RelatedAsset_Serialize;

/** Rows per IPC call: one payload is one page (DESIGN.md invariant 6); the backend caps at 500. */
export const ASSET_PAGE_SIZE = 100;

/** `asset_page`: one keyset page of the list. */
export function getAssetPage(request: AssetPageRequest): Promise<AssetPage> {
  return markFirstCall("assetdesk:asset_page", () => call(() => commands.assetPage(request)));
}

/** `asset_count`: how many assets match (the live row count). */
export function getAssetCount(filter: CatalogFilter): Promise<number> {
  return markFirstCall("assetdesk:asset_count", () => call(() => commands.assetCount(filter)));
}

/** `filter_options`: connections and lookups the filter bar offers. */
export function getFilterOptions(): Promise<FilterOptions> {
  return markFirstCall("assetdesk:filter_options", () => call(() => commands.filterOptions()));
}

/** `asset_detail`: everything the detail panel shows about one asset. */
export function getAssetDetail(id: number): Promise<AssetDetail> {
  return call(() => commands.assetDetail(id));
}

/** Query keys of the asset catalog; `assetKeys.all` is what a data-change event invalidates. */
export const assetKeys = {
  all: [...hostKeys.all, "assets"] as const,
  pages: (filter: CatalogFilter, sort: CatalogSort) =>
    [...assetKeys.all, "pages", filter, sort] as const,
  count: (filter: CatalogFilter) => [...assetKeys.all, "count", filter] as const,
  filterOptions: () => [...assetKeys.all, "filterOptions"] as const,
  detail: (id: number) => [...assetKeys.all, "detail", id] as const,
  formSchema: (connectionId: string, clientId: number | null) =>
    [...assetKeys.all, "formSchema", connectionId, clientId] as const,
  journal: (id: number) => [...assetKeys.all, "journal", id] as const,
};

/**
 * The list as keyset pages, fetched one page at a time as the user scrolls. Only the pages
 * scrolled past are held (never the whole set); while a new filter loads, the previous rows
 * stay on screen so typing in the search box does not flash an empty table.
 */
export function useAssetPages(filter: CatalogFilter, sort: CatalogSort) {
  return useInfiniteQuery(assetPagesQuery(filter, sort));
}

/** The list's query (shared by the hook and the launch-time prefetch). */
export function assetPagesQuery(filter: CatalogFilter, sort: CatalogSort) {
  return infiniteQueryOptions<
    AssetPage,
    HostError,
    { pages: AssetPage[] },
    ReturnType<typeof assetKeys.pages>,
    string | null
  >({
    queryKey: assetKeys.pages(filter, sort),
    queryFn: ({ pageParam }) =>
      getAssetPage({ filter, sort, after: pageParam, limit: ASSET_PAGE_SIZE }),
    initialPageParam: null,
    getNextPageParam: (last) => last.next,
    placeholderData: keepPreviousData,
  });
}

/**
 * Starts loading a list and its count before the component that shows them mounts: at launch
 * the list waits for the filter options, and this lets both requests run at once instead of
 * one after the other. Runs once per mount; errors surface in the list's own query.
 */
export function usePrefetchAssetList(filter: CatalogFilter, sort: CatalogSort) {
  const queryClient = useQueryClient();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the first list only
  useEffect(() => {
    if (!inDesktopApp()) return;
    void queryClient.prefetchInfiniteQuery(assetPagesQuery(filter, sort));
    void queryClient.prefetchQuery(assetCountQuery(filter));
  }, [queryClient]);
}

/** The number of assets matching `filter`. */
export function useAssetCount(filter: CatalogFilter) {
  return useQuery(assetCountQuery(filter));
}

/** The count's query (shared by the hook and the launch-time prefetch). */
export function assetCountQuery(filter: CatalogFilter) {
  return queryOptions<number, HostError>({
    queryKey: assetKeys.count(filter),
    queryFn: () => getAssetCount(filter),
    placeholderData: keepPreviousData,
  });
}

/**
 * What the filter bar offers (changes only when a sync replaces lookups). Idle outside the
 * desktop app, where there is no cache to ask.
 */
export function useFilterOptions() {
  return useQuery<FilterOptions, HostError>({
    queryKey: assetKeys.filterOptions(),
    queryFn: inDesktopApp() ? getFilterOptions : skipToken,
    staleTime: 60_000,
  });
}

/** The detail of the selected asset; idle while nothing is selected. */
export function useAssetDetail(id: number | null) {
  return useQuery<AssetDetail, HostError>({
    queryKey: assetKeys.detail(id ?? -1),
    queryFn: id === null ? skipToken : () => getAssetDetail(id),
  });
}

// ----- the form, bulk edit and journal ------------------------------------------------------

/** An asset's editable fields with the neutral names validation and patches use. */
export type AssetFields = AssetFields_Serialize;
/** What the form holds, sent for validation as the user types. */
export type AssetDraft = AssetDraft_Deserialize;
export type CreateAssetRequest = CreateAssetRequest_Deserialize;
export type { AssetJournal, DraftValidation, FieldError, SaveOutcome, UpdateAssetRequest };
export type BulkChange = BulkChange_Deserialize;
export type BulkEditResult = BulkEditResult_Serialize;
export type BulkRowResult = BulkRowResult_Serialize;
export type FormSchema = FormSchema_Serialize;
export type FormField = FormField_Serialize;
export type ScopedOption = ScopedOption_Serialize;

/** The backend's cap on ids per bulk request (one IPC payload is one page). */
export const BULK_CHUNK = 500;

/** `validate_asset_draft`: per-field errors and warnings for what the form holds. */
export function validateAssetDraft(draft: AssetDraft): Promise<DraftValidation> {
  return call(() => commands.validateAssetDraft(draft));
}

/** `create_asset`: saves a new asset locally and queues it for the provider. */
export function createAsset(request: CreateAssetRequest): Promise<SaveOutcome> {
  return call(() => commands.createAsset(request));
}

/** `update_asset`: saves the changed fields locally and queues them for the provider. */
export function updateAsset(request: UpdateAssetRequest): Promise<SaveOutcome> {
  return call(() => commands.updateAsset(request));
}

/**
 * `bulk_update_assets` over any number of ids: sent in chunks of `BULK_CHUNK`, results joined
 * in order. `onProgress` gets the number of ids done after each chunk.
 */
export async function bulkUpdateAssets(
  ids: number[],
  change: BulkChange,
  onProgress?: (done: number) => void,
): Promise<BulkEditResult> {
  const out: BulkEditResult = { rows: [], updated: 0, unchanged: 0, failed: 0 };
  for (let start = 0; start < ids.length; start += BULK_CHUNK) {
    const part = await call(() =>
      commands.bulkUpdateAssets({ ids: ids.slice(start, start + BULK_CHUNK), change }),
    );
    out.rows.push(...part.rows);
    out.updated += part.updated;
    out.unchanged += part.unchanged;
    out.failed += part.failed;
    onProgress?.(Math.min(ids.length, start + BULK_CHUNK));
  }
  return out;
}

/** `asset_form_schema`: fields, types with custom fields and lookups of one connection. */
export function getFormSchema(connectionId: string, clientId: number | null): Promise<FormSchema> {
  return call(() => commands.assetFormSchema(connectionId, clientId));
}

/** `asset_journal`: what changed on an asset, newest first. */
export function getAssetJournal(id: number): Promise<AssetJournal> {
  return call(() => commands.assetJournal(id));
}

/** The form schema of a connection (sites and users of `clientId`); idle without one. */
export function useFormSchema(connectionId: string | null, clientId: number | null) {
  return useQuery<FormSchema, HostError>({
    queryKey: assetKeys.formSchema(connectionId ?? "", clientId),
    queryFn: connectionId === null ? skipToken : () => getFormSchema(connectionId, clientId),
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
}

/** The journal of the selected asset; idle while nothing is selected. */
export function useAssetJournal(id: number | null) {
  return useQuery<AssetJournal, HostError>({
    queryKey: assetKeys.journal(id ?? -1),
    queryFn: id === null ? skipToken : () => getAssetJournal(id),
  });
}

/**
 * Saving (create or update) and bulk edits: on success every asset query is invalidated, so
 * the list, the count, the detail and the journal show the saved state and its sync badge.
 */
export function useSaveAsset() {
  const queryClient = useQueryClient();
  return useMutation<
    SaveOutcome,
    HostError,
    | { kind: "create"; request: CreateAssetRequest }
    | { kind: "update"; request: UpdateAssetRequest }
  >({
    mutationFn: (v) => (v.kind === "create" ? createAsset(v.request) : updateAsset(v.request)),
    onSuccess: (outcome) => {
      if (outcome.kind === "saved") void queryClient.invalidateQueries({ queryKey: assetKeys.all });
    },
  });
}

/** A bulk edit over the selection, with progress; invalidates the asset queries when done. */
export function useBulkUpdate(onProgress?: (done: number) => void) {
  const queryClient = useQueryClient();
  return useMutation<BulkEditResult, HostError, { ids: number[]; change: BulkChange }>({
    mutationFn: ({ ids, change }) => bulkUpdateAssets(ids, change, onProgress),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: assetKeys.all }),
  });
}

/** What a data-changed event must refresh in the asset views: rows, lookups, sync badges. */
const ASSET_ENTITIES = new Set(["asset", "lookup", "connection", "outbox", "conflict"]);

/**
 * Keeps the asset views true to the cache: every data-changed event about assets, lookups or
 * their sync state (a sync page, an edit in the CLI, a retried or discarded op) invalidates
 * the asset, calendar and link queries, and the shown ones refetch. Mounted once, in `App`.
 */
export function useAssetEvents(): void {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      onDataChanged((event) => {
        if (event.entities.some((e) => ASSET_ENTITIES.has(e))) {
          // The calendar and the link trees are views of the same rows (their keys live in
          // calendar.ts and links.ts, which import this module; spelled out to avoid a cycle).
          for (const queryKey of [
            assetKeys.all,
            [...hostKeys.all, "calendar"],
            [...hostKeys.all, "links"],
          ]) {
            void queryClient.invalidateQueries({ queryKey });
          }
        }
      }),
    [queryClient],
  );
}
