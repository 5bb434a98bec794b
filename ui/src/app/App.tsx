import { useHotkeys } from "@mantine/hooks";
import { useMemo, useState } from "react";
import { useAppStatus, useAssetEvents, useHostEvents, useSyncEvents } from "../host";
import { NavigationProvider, type PageId, useNavigation } from "../lib/navigation";
import { PAGES } from "./pages";
import { Shell } from "./Shell";
import { useStartupFailureNotice } from "./useStartupFailureNotice";

/** The app inside its providers: navigation state, keyboard shortcuts, backend events. */
export function App() {
  const [page, setPage] = useState<PageId>("assets");
  const status = useAppStatus();
  useHostEvents();
  useSyncEvents();
  // Mounted here, not in a page: a change while another page is open must still mark the
  // asset views stale (their staleTime is infinite).
  useAssetEvents();
  useStartupFailureNotice(status);
  const navigation = useMemo(() => ({ page, navigate: setPage }), [page]);
  return (
    <NavigationProvider value={navigation}>
      <PageShortcuts />
      <Shell />
    </NavigationProvider>
  );
}

/** Ctrl/Cmd+1…4 open the rail's pages through the same guarded `navigate` as the rail. */
function PageShortcuts() {
  const { navigate } = useNavigation();
  useHotkeys(PAGES.map(({ id }, index) => [`mod+${index + 1}`, () => navigate(id)]));
  return null;
}
