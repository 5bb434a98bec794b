import { Button } from "@mantine/core";
import { IconPlugConnected } from "@tabler/icons-react";
import { Page } from "../../components/Page";
import { PageEmptyState } from "../../components/PageEmptyState";
import { useNavigation } from "../../lib/navigation";

/** The asset list. Until a connection exists there is nothing cached to list. */
export function AssetsPage() {
  const { navigate } = useNavigation();
  return (
    <Page
      title="Assets"
      description="Your clients' assets from HaloPSA and Syncro, searchable on this computer."
    >
      <PageEmptyState
        icon={IconPlugConnected}
        title="No connection yet"
        description="Add a HaloPSA or Syncro connection in Settings. Its assets are then cached here, so you can find and edit them even offline."
        actions={<Button onClick={() => navigate("settings")}>Open Settings</Button>}
      />
    </Page>
  );
}
