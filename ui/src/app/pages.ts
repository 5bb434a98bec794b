import {
  type Icon,
  IconCalendarEvent,
  IconDeviceDesktop,
  IconRefresh,
  IconSettings,
} from "@tabler/icons-react";
import type { PageId } from "../lib/navigation";

export interface PageEntry {
  id: PageId;
  label: string;
  icon: Icon;
}

/** The rail, in the order of UX.md "Layout". */
export const PAGES: readonly PageEntry[] = [
  { id: "assets", label: "Assets", icon: IconDeviceDesktop },
  { id: "calendar", label: "Calendar", icon: IconCalendarEvent },
  { id: "sync", label: "Sync", icon: IconRefresh },
  { id: "settings", label: "Settings", icon: IconSettings },
];
