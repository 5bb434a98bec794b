import type { AppInfo } from "../host";

/** An `app_info` answer as the backend would give it. */
export const APP_INFO: AppInfo = {
  version: "0.1.0",
  dataDir: "/home/tech/.local/share/com.assetdesk.desktop",
  logDir: "/home/tech/.local/share/com.assetdesk.desktop/logs",
  schemaVersion: 3,
};
