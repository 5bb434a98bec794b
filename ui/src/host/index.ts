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
  ErrorCode,
} from "../bindings";
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
