import { Button, Group, Menu, Text } from "@mantine/core";
import { IconChevronDown, IconDownload } from "@tabler/icons-react";
import { useState } from "react";
import { showDoneToast, showErrorToast } from "../../components/notify";
import { type CalendarFilter, type ExportFormat, useExportWarranties } from "../../host";

interface ExportMenuProps {
  filter: CalendarFilter;
  range: { from: string; to: string } | null;
  today: string;
}

/**
 * Export the filtered, visible range: one click saves to Downloads (like a browser), "Save
 * as…" opens the system dialog. ICS events have stable UIDs, so re-importing updates them.
 */
export function ExportMenu({ filter, range, today }: ExportMenuProps) {
  const exporter = useExportWarranties();
  const [last, setLast] = useState<string | null>(null);
  const run = (format: ExportFormat, saveAs: boolean) => {
    if (!range) return;
    const fileName = `warranties-${range.from}-to-${range.to}.${format}`;
    exporter.mutate(
      { request: { filter, from: range.from, to: range.to, today, format }, fileName, saveAs },
      {
        onSuccess: (out) => {
          if (out === null) return;
          const text = `Exported ${out.count.toLocaleString()} warrant${out.count === 1 ? "y" : "ies"} to ${out.path}`;
          setLast(text);
          showDoneToast(text);
        },
        onError: (e) => showErrorToast("Could not export", e),
      },
    );
  };
  return (
    <Group gap="xs" wrap="nowrap">
      <Button.Group>
        <Button
          size="xs"
          variant="default"
          leftSection={<IconDownload size={14} />}
          data-testid="export-ics"
          disabled={!range}
          loading={exporter.isPending}
          onClick={() => run("ics", false)}
        >
          Export ICS
        </Button>
        <Button
          size="xs"
          variant="default"
          data-testid="export-csv"
          disabled={!range}
          onClick={() => run("csv", false)}
        >
          CSV
        </Button>
        <Menu position="bottom-end">
          <Menu.Target>
            <Button
              size="xs"
              variant="default"
              px={6}
              aria-label="More export options"
              disabled={!range}
            >
              <IconChevronDown size={14} />
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Item onClick={() => run("ics", true)}>Save ICS as…</Menu.Item>
            <Menu.Item onClick={() => run("csv", true)}>Save CSV as…</Menu.Item>
          </Menu.Dropdown>
        </Menu>
      </Button.Group>
      {last ? (
        <Text size="xs" c="dimmed" data-testid="export-result" maw={320} truncate title={last}>
          {last}
        </Text>
      ) : null}
    </Group>
  );
}
