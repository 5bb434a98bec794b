import { Box, DataList, Skeleton, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { HostErrorAlert } from "../../components/HostErrorAlert";
import { Section } from "../../components/Section";
import { type AppInfo, type AppStatus, useAppInfo, useAppStatus } from "../../host";

const STATUS_TEXT: Record<AppStatus["phase"], string> = {
  starting: "Opening the local cache…",
  ready: "Cache ready",
  failed: "Cache unavailable",
};

function Row({ label, testId, children }: { label: string; testId: string; children: ReactNode }) {
  return (
    <DataList.Item>
      <DataList.ItemLabel>{label}</DataList.ItemLabel>
      <DataList.ItemValue data-testid={testId}>{children}</DataList.ItemValue>
    </DataList.Item>
  );
}

/** A value that may be a long path: monospace, selectable, wraps anywhere rather than clip. */
function PathValue({ value }: { value: string }) {
  return (
    <Text size="sm" ff="monospace" style={{ wordBreak: "break-all", userSelect: "text" }}>
      {value}
    </Text>
  );
}

/**
 * What this installation is and where it keeps things: the real values from `app_info`, so a
 * technician can find the data and log folders when support asks for them.
 */
export function AboutSection() {
  const info = useAppInfo();
  const status = useAppStatus();
  const value = (render: (data: AppInfo) => ReactNode) =>
    info.data ? render(info.data) : <Skeleton height={14} width={180} my={3} />;

  return (
    <Section title="About AssetDesk">
      <DataList size="sm" labelWidth="168px" gap="sm" mt="md" aria-busy={info.isPending}>
        <Row label="Status" testId="about-status">
          {STATUS_TEXT[status.phase]}
        </Row>
        {info.isError ? null : (
          <>
            <Row label="Version" testId="about-version">
              {value((d) => d.version)}
            </Row>
            <Row label="Data folder" testId="about-data-dir">
              {value((d) => (
                <PathValue value={d.dataDir} />
              ))}
            </Row>
            <Row label="Log folder" testId="about-log-dir">
              {value((d) => (
                <PathValue value={d.logDir} />
              ))}
            </Row>
            <Row label="Cache schema version" testId="about-schema-version">
              {value((d) => d.schemaVersion)}
            </Row>
          </>
        )}
      </DataList>
      {info.isError ? (
        <Box mt="md">
          <HostErrorAlert
            title="Could not load app information"
            error={info.error}
            onRetry={() => void info.refetch()}
            retrying={info.isFetching}
          />
        </Box>
      ) : null}
    </Section>
  );
}
