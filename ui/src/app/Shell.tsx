import { AppShell, Group, Loader } from "@mantine/core";
import { type ComponentType, lazy, Suspense } from "react";
import { type PageId, useNavigation } from "../lib/navigation";
import { AssetsPage } from "../pages/assets/AssetsPage";
import { NavRail } from "./NavRail";
import { TopBar } from "./TopBar";

// The asset list is what opens; the other pages (the calendar brings FullCalendar and its
// date library) load on first visit, so launch parses and compiles only what it shows.
const CalendarPage = lazy(() =>
  import("../pages/calendar/CalendarPage").then((m) => ({ default: m.CalendarPage })),
);
const SyncPage = lazy(() =>
  import("../pages/sync/SyncPage").then((m) => ({ default: m.SyncPage })),
);
const SettingsPage = lazy(() =>
  import("../pages/settings/SettingsPage").then((m) => ({ default: m.SettingsPage })),
);

const PAGE_COMPONENTS: Record<PageId, ComponentType> = {
  assets: AssetsPage,
  calendar: CalendarPage,
  sync: SyncPage,
  settings: SettingsPage,
};

function PageLoading() {
  return (
    <Group justify="center" p="xl">
      <Loader size="sm" aria-label="Loading the page" />
    </Group>
  );
}

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
        <Suspense fallback={<PageLoading />}>
          <Current />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
