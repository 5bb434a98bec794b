import type { UnlistenFn } from "@tauri-apps/api/event";
import {
  type AppStatusEvent,
  type ConnectionStatusEvent_Serialize as ConnectionStatusEvent,
  type DataChangedEvent,
  events,
  type SyncProgressEvent_Serialize as SyncProgressEvent,
} from "../bindings";
import { inDesktopApp } from "./ipc";

/** Stops a subscription. Safe to call more than once, and before the subscription is live. */
export type Unsubscribe = () => void;

/**
 * Adapts Tauri's asynchronous `listen` to the synchronous cleanup React effects need. If the
 * caller unsubscribes before `listen` has resolved (a fast unmount, or React's StrictMode
 * double-mount), the listener is removed as soon as it exists instead of leaking.
 */
export function subscribe<T>(
  listen: (handler: (event: { payload: T }) => void) => Promise<UnlistenFn>,
  handler: (payload: T) => void,
  onError: (cause: unknown) => void = (cause) =>
    console.error("AssetDesk: could not subscribe to a backend event", cause),
): Unsubscribe {
  let stopped = false;
  let unlisten: UnlistenFn | undefined;
  listen((event) => {
    if (!stopped) handler(event.payload);
  }).then(
    (fn) => {
      if (stopped) fn();
      else unlisten = fn;
    },
    (cause: unknown) => {
      if (!stopped) onError(cause);
    },
  );
  return () => {
    if (stopped) return;
    stopped = true;
    unlisten?.();
    unlisten = undefined;
  };
}

/**
 * Calls `handler` for every `AppStatusEvent` (the workspace finished opening, or failed to).
 * Outside the desktop app there is no event source, so this subscribes to nothing.
 */
export function onAppStatus(handler: (event: AppStatusEvent) => void): Unsubscribe {
  if (!inDesktopApp()) return () => {};
  return subscribe((cb) => events.appStatusEvent.listen(cb), handler);
}

/**
 * Calls `handler` for every `DataChangedEvent` (the cache changed: a sync page, an edit, an
 * outbox or conflict action). Batched by the backend to at most 4 a second.
 */
export function onDataChanged(handler: (event: DataChangedEvent) => void): Unsubscribe {
  if (!inDesktopApp()) return () => {};
  return subscribe((cb) => events.dataChanged.listen(cb), handler);
}

/**
 * Calls `handler` for every sync progress event (one connection's phase, page n of m, rows,
 * errors). At most 10 a second per connection; the terminal one of each sync always arrives.
 */
export function onSyncProgress(handler: (event: SyncProgressEvent) => void): Unsubscribe {
  if (!inDesktopApp()) return () => {};
  return subscribe((cb) => events.syncProgress.listen(cb), handler);
}

/**
 * Calls `handler` whenever a connection starts or stops syncing, or goes online or offline
 * (the top bar's indicator and the sync centre's lines).
 */
export function onConnectionStatus(handler: (event: ConnectionStatusEvent) => void): Unsubscribe {
  if (!inDesktopApp()) return () => {};
  return subscribe((cb) => events.connectionStatus.listen(cb), handler);
}
