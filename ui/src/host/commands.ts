import { type AppInfo, commands } from "../bindings";
import { call } from "./ipc";

/** Version, data and log folders and cache schema of this installation (`app_info`). */
export function getAppInfo(): Promise<AppInfo> {
  return call(commands.appInfo);
}
