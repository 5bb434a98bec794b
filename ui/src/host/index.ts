/**
 * The UI's only door to the backend. Everything else in src/ imports from here, never from
 * `@tauri-apps/*` or the generated `bindings.ts` (enforced by Biome's noRestrictedImports, see
 * biome.json), so the IPC layer can change in one place and tests can mock one module.
 */
export type {
  AppError,
  AppInfo,
  AppPhase,
  AppStatusEvent,
  CatalogSort,
  ConnectionOption,
  CustomFieldKind,
  ErrorCode,
  Fact,
  FilterOptions,
  LookupKey,
  LookupOption,
  ProviderKind,
  RowSyncState,
  SortColumn,
  WarrantyWindow,
} from "../bindings";
export {
  ASSET_PAGE_SIZE,
  type AssetDetail,
  type AssetFacets,
  type AssetPage,
  type AssetPageRequest,
  type AssetRow,
  assetKeys,
  type CatalogFilter,
  type CustomFieldValue,
  getAssetCount,
  getAssetDetail,
  getAssetPage,
  getFilterOptions,
  type NamedRef,
  type RelatedAsset,
  useAssetCount,
  useAssetDetail,
  useAssetPages,
  useFilterOptions,
} from "./assets";
export { getAppInfo } from "./commands";
export { HostError, type HostErrorCode, NOT_IN_DESKTOP_APP, toHostError } from "./errors";
export { onAppStatus, type Unsubscribe } from "./events";
export { inDesktopApp } from "./ipc";
export {
  type AppStatus,
  deriveAppStatus,
  hostKeys,
  useAppInfo,
  useAppStatus,
  useHostEvents,
} from "./queries";
