import { skipToken, useQuery } from "@tanstack/react-query";
import { commands, type DemoStatus_Serialize, type Removal } from "../bindings";
import type { HostError } from "./errors";
import { call, inDesktopApp } from "./ipc";
import { hostKeys } from "./queries";

/** Whether the demo's sandbox servers run in this app, are online, and which connections are its. */
export type DemoStatus = DemoStatus_Serialize;

/** `demo_status`. */
export function getDemoStatus(): Promise<DemoStatus> {
  return call(commands.demoStatus);
}

/** `demo_set_offline`: `true` makes the demo's servers refuse connections (edits queue). */
export function setDemoOffline(offline: boolean): Promise<DemoStatus> {
  return call(() => commands.demoSetOffline(offline));
}

/** `demo_remote_change`: a colleague edits a demo asset at the provider; returns what changed. */
export function makeDemoRemoteChange(): Promise<string> {
  return call(commands.demoRemoteChange);
}

/** `remove_demo`: stops the demo and removes its connections and cached assets. */
export function removeDemo(): Promise<Removal[]> {
  return call(commands.removeDemo);
}

/** `open_demo`: starts the demo workspace (again) and syncs it. */
export function openDemo(): Promise<DemoStatus> {
  return call(commands.openDemo);
}

export const demoKeys = {
  all: [...hostKeys.all, "demo"] as const,
  status: () => [...demoKeys.all, "status"] as const,
};

/** The demo's status; idle outside the desktop app. */
export function useDemoStatus() {
  return useQuery<DemoStatus, HostError>({
    queryKey: demoKeys.status(),
    queryFn: inDesktopApp() ? getDemoStatus : skipToken,
  });
}
