import { Stack } from "@mantine/core";
import { Page } from "../../components/Page";
import { AboutSection } from "./AboutSection";
import { ConnectionsSection } from "./ConnectionsSection";
import { DemoSection } from "./DemoSection";

/** Connections, the demo workspace (while it exists) and facts about this installation. */
export function SettingsPage() {
  return (
    <Page title="Settings" description="Your PSA connections and this installation.">
      <Stack gap="md" maw={900} pb="lg">
        <ConnectionsSection />
        <DemoSection />
        <AboutSection />
      </Stack>
    </Page>
  );
}
