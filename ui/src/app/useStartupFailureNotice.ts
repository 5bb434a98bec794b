import { notifications } from "@mantine/notifications";
import { useEffect, useRef } from "react";
import type { AppStatus } from "../host";

/**
 * Announces a failed start once per distinct reason. The top-bar badge keeps showing the state;
 * this makes sure the reason is read, since nothing in the app works without the cache.
 */
export function useStartupFailureNotice(status: AppStatus): void {
  const shown = useRef<string | null>(null);
  const message = status.phase === "failed" ? status.message : null;
  useEffect(() => {
    if (message === null || shown.current === message) return;
    shown.current = message;
    notifications.show({
      id: "app-status-failed",
      color: "red",
      title: "The local cache is unavailable",
      message: `${message} Details are under Settings → About.`,
      autoClose: false,
    });
  }, [message]);
}
