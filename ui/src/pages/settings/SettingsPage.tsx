import { Stack } from "@mantine/core";
import { IconPlugConnected } from "@tabler/icons-react";
import { Page } from "../../components/Page";
import { PageEmptyState } from "../../components/PageEmptyState";
import { Section } from "../../components/Section";
import { AboutSection } from "./AboutSection";

/** Connections and facts about this installation. */
export function SettingsPage() {
  return (
    <Page title="Settings" description="Your PSA connections and this installation.">
      <Stack gap="md" maw={760}>
        <Section
          title="Connections"
          description="The HaloPSA and Syncro accounts AssetDesk reads assets from."
        >
          <PageEmptyState
            icon={IconPlugConnected}
            title="No connections yet"
            description="HaloPSA and Syncro connections will be listed here, each with its sync status."
          />
        </Section>
        <AboutSection />
      </Stack>
    </Page>
  );
}
