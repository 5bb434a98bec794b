import { keepPreviousData, skipToken, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { CatalogSort } from "../bindings";
import {
  type AssetDetail_Serialize,
  type AssetFacets_Serialize,
  type AssetPage_Serialize,
  type AssetPageRequest_Deserialize,
  type AssetRow_Serialize,
  type CatalogFilter_Deserialize,
  type CustomFieldValue_Serialize,
  commands,
  type FilterOptions,
  type NamedRef_Serialize,
  type RelatedAsset_Serialize,
} from "../bindings";
import type { HostError } from "./errors";
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
  return call(() => commands.assetPage(request));
}

/** `asset_count`: how many assets match (the live row count). */
export function getAssetCount(filter: CatalogFilter): Promise<number> {
  return call(() => commands.assetCount(filter));
}

/** `filter_options`: connections and lookups the filter bar offers. */
export function getFilterOptions(): Promise<FilterOptions> {
  return call(() => commands.filterOptions());
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
};

/**
 * The list as keyset pages, fetched one page at a time as the user scrolls. Only the pages
 * scrolled past are held (never the whole set); while a new filter loads, the previous rows
 * stay on screen so typing in the search box does not flash an empty table.
 */
export function useAssetPages(filter: CatalogFilter, sort: CatalogSort) {
  return useInfiniteQuery<
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

/** The number of assets matching `filter`. */
export function useAssetCount(filter: CatalogFilter) {
  return useQuery<number, HostError>({
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
