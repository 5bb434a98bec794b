import { skipToken, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import type { AppInfo, AppStatusEvent } from "../bindings";
import { getAppInfo } from "./commands";
import type { HostError } from "./errors";
import { onAppStatus } from "./events";

/** Query keys of everything the backend serves, in one place so events can invalidate them. */
export const hostKeys = {
  all: ["host"] as const,
  appInfo: () => [...hostKeys.all, "appInfo"] as const,
  /** Not fetched: holds the last `AppStatusEvent`, written by `useHostEvents`. */
  appStatusEvent: () => [...hostKeys.all, "appStatusEvent"] as const,
};

/** `app_info`: resolves once the workspace is open (the backend waits for it), else fails. */
export function useAppInfo() {
  return useQuery<AppInfo, HostError>({ queryKey: hostKeys.appInfo(), queryFn: getAppInfo });
}

/**
 * Routes backend events into the query cache: the event itself is stored for `useAppStatus`,
 * and the queries it makes stale are invalidated. Mount it once, near the root.
 */
export function useHostEvents(): void {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      onAppStatus((event) => {
        queryClient.setQueryData(hostKeys.appStatusEvent(), event);
        void queryClient.invalidateQueries({ queryKey: hostKeys.appInfo() });
      }),
    [queryClient],
  );
}

/** Whether the app can serve data yet, as shown in the top bar and Settings. */
export type AppStatus =
  | { phase: "starting" }
  | { phase: "ready" }
  | { phase: "failed"; message: string };

/**
 * Combines the two sources of truth about startup. The `AppStatusEvent` is sent once, possibly
 * before this page subscribed, so it cannot be the only source; `app_info` waits until the
 * workspace has opened, so its outcome says the same thing. The event wins when both exist,
 * because it is the newer word.
 */
export function deriveAppStatus(
  event: AppStatusEvent | undefined,
  info: { status: "pending" | "error" | "success"; error: HostError | null },
): AppStatus {
  if (event) {
    switch (event.phase) {
      case "starting":
        return { phase: "starting" };
      case "ready":
        return { phase: "ready" };
      case "failed":
        return {
          phase: "failed",
          message: event.message ?? "The local cache could not be opened; see the log folder.",
        };
    }
  }
  if (info.status === "pending") return { phase: "starting" };
  if (info.status === "error") {
    return { phase: "failed", message: info.error?.message ?? "The backend did not answer." };
  }
  return { phase: "ready" };
}

/** The current `AppStatus`; re-renders when the event arrives or `app_info` settles. */
export function useAppStatus(): AppStatus {
  const info = useAppInfo();
  const event = useQuery<AppStatusEvent>({
    queryKey: hostKeys.appStatusEvent(),
    queryFn: skipToken,
  });
  return deriveAppStatus(event.data, info);
}
