import { AppShell } from "@mantine/core";
import type { ComponentType } from "react";
import { type PageId, useNavigation } from "../lib/navigation";
import { AssetsPage } from "../pages/assets/AssetsPage";
import { CalendarPage } from "../pages/calendar/CalendarPage";
import { SettingsPage } from "../pages/settings/SettingsPage";
import { SyncPage } from "../pages/sync/SyncPage";
import { NavRail } from "./NavRail";
import { TopBar } from "./TopBar";

const PAGE_COMPONENTS: Record<PageId, ComponentType> = {
  assets: AssetsPage,
  calendar: CalendarPage,
  sync: SyncPage,
  settings: SettingsPage,
};

/** The frame around every page: top bar, left rail, and the current page. */
export function Shell() {
  const { page } = useNavigation();
  const Current = PAGE_COMPONENTS[page];
  return (
    <AppShell
      header={{ height: 48 }}
      navbar={{ width: 200, breakpoint: 0 }}
      padding={0}
      styles={{ navbar: { backgroundColor: "var(--assetdesk-rail-bg)" } }}
    >
      <AppShell.Header>
        <TopBar />
      </AppShell.Header>
      <AppShell.Navbar>
        <NavRail />
      </AppShell.Navbar>
      <AppShell.Main>
        <Current />
      </AppShell.Main>
    </AppShell>
  );
}
