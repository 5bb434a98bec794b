import { Button } from "@mantine/core";
import { IconCalendarOff } from "@tabler/icons-react";
import { Page } from "../../components/Page";
import { PageEmptyState } from "../../components/PageEmptyState";
import { useNavigation } from "../../lib/navigation";

/** Warranty end dates on a calendar. They come from synced assets, and none are synced yet. */
export function CalendarPage() {
  const { navigate } = useNavigation();
  return (
    <Page title="Calendar" description="Warranty end dates of your assets, by day.">
      <PageEmptyState
        icon={IconCalendarOff}
        title="No warranties yet"
        description="Nothing has been synced, so there are no warranty dates to show. They appear here after the first sync of a HaloPSA or Syncro connection."
        actions={
          <Button variant="default" onClick={() => navigate("settings")}>
            Open Settings
          </Button>
        }
      />
    </Page>
  );
}
