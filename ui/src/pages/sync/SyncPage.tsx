import { Button } from "@mantine/core";
import { IconCloudCheck } from "@tabler/icons-react";
import { Page } from "../../components/Page";
import { PageEmptyState } from "../../components/PageEmptyState";
import { useNavigation } from "../../lib/navigation";

/** The outbox: queued, failed and conflicting changes. Without a connection it is empty. */
export function SyncPage() {
  const { navigate } = useNavigation();
  return (
    <Page title="Sync" description="Changes waiting to be sent, and any that need your attention.">
      <PageEmptyState
        icon={IconCloudCheck}
        title="Nothing to sync"
        description="There is no connection yet, so nothing is queued, failed or in conflict. Once you connect, changes you make offline wait here until they are sent."
        actions={
          <Button variant="default" onClick={() => navigate("settings")}>
            Open Settings
          </Button>
        }
      />
    </Page>
  );
}
