import {
  Alert,
  Badge,
  Button,
  Group,
  List,
  Loader,
  Paper,
  Select,
  Stack,
  Text,
  ThemeIcon,
} from "@mantine/core";
import { IconCheck, IconX } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ConnectionStateBadge } from "../../components/ConnectionStateBadge";
import { showErrorToast } from "../../components/notify";
import { RelativeTime } from "../../components/RelativeTime";
import {
  type Connection,
  type ConnectionStatus,
  checkPermissions,
  connectionKeys,
  type HostError,
  type PermissionReport,
  setSyncSchedule,
  type TestOutcome,
} from "../../host";
import { ProviderLabel } from "../assets/Badges";
import { SCHEDULE_OPTIONS, TEST_HEADLINE } from "./labels";

/** Where "Test connection" stands for one connection. */
export type TestState =
  | { phase: "running" }
  | { phase: "done"; outcome: TestOutcome }
  | { phase: "error"; error: HostError };

function TestResult({ state }: { state: TestState }) {
  if (state.phase === "running") {
    return (
      <Group gap="xs" data-testid="test-running">
        <Loader size="xs" />
        <Text size="sm">Signing in and reading one page of assets…</Text>
      </Group>
    );
  }
  if (state.phase === "error") {
    return (
      <div data-testid="test-result" data-status="error">
        <Alert color="red" variant="light" title="Could not test">
          <Text size="sm">{state.error.message}</Text>
        </Alert>
      </div>
    );
  }
  const look = TEST_HEADLINE[state.outcome.status];
  // The test id sits on a wrapper: Mantine's Alert puts extra props on an inner element.
  return (
    <div data-testid="test-result" data-status={state.outcome.status}>
      <Alert
        color={look.color}
        variant="light"
        title={<span data-testid="test-headline">{look.title}</span>}
      >
        <Text size="sm">{state.outcome.message}</Text>
      </Alert>
    </div>
  );
}

function PermissionList({ report }: { report: PermissionReport }) {
  return (
    <Stack gap={4} data-testid="permission-report">
      <Text size="sm" fw={600}>
        {report.all_ok
          ? "Every permission AssetDesk uses is granted."
          : `Missing ${report.checks.filter((c) => !c.ok).length} permission(s):`}
      </Text>
      <List spacing={2} size="sm" center>
        {report.checks.map((check) => (
          <List.Item
            key={check.capability}
            data-testid="permission-check"
            data-ok={check.ok}
            icon={
              <ThemeIcon size={16} radius="xl" color={check.ok ? "teal" : "red"} variant="light">
                {check.ok ? <IconCheck size={12} aria-hidden /> : <IconX size={12} aria-hidden />}
              </ThemeIcon>
            }
          >
            <Text size="sm" span fw={500}>
              {CAPABILITY[check.capability] ?? check.capability}
            </Text>
            <Text size="sm" span c="dimmed">
              {" — "}
              {check.ok ? check.detail : (check.missing ?? check.detail)}
            </Text>
          </List.Item>
        ))}
      </List>
    </Stack>
  );
}

/** Rust names capabilities with stable ids (connections.rs `PermissionCheck`). */
const CAPABILITY: Record<string, string> = {
  sign_in: "Sign in",
  read_assets: "Read assets",
  edit_assets: "Edit assets",
  read_clients: "Read clients and sites",
  read_tickets: "Read tickets",
  create_tickets: "Create tickets",
};

/**
 * One connection in Settings: what it is, whether it syncs, and what can be done with it
 * (test, check permissions, edit, schedule, remove).
 */
export function ConnectionCard({
  connection: c,
  test,
  onTest,
  onEdit,
  onRemove,
}: {
  connection: Connection;
  test: TestState | undefined;
  onTest: () => void;
  onEdit: () => void;
  onRemove: () => void;
}) {
  const queryClient = useQueryClient();
  const permissions = useMutation<PermissionReport, HostError>({
    mutationFn: () => checkPermissions(c.id),
  });
  const schedule = useMutation<ConnectionStatus, HostError, number | null>({
    mutationFn: (minutes) => setSyncSchedule(c.id, minutes),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: connectionKeys.all }),
    onError: (error) => showErrorToast(`Could not change how often ${c.name} syncs`, error),
  });
  const minutes = c.status.scheduleMinutes;
  const scheduleValue =
    SCHEDULE_OPTIONS.find((o) => o.minutes === minutes)?.value ??
    (minutes === null ? "off" : String(minutes));
  const scheduleData = SCHEDULE_OPTIONS.some((o) => o.value === scheduleValue)
    ? SCHEDULE_OPTIONS
    : [
        ...SCHEDULE_OPTIONS,
        { value: scheduleValue, label: `Every ${minutes} minutes`, minutes: null },
      ];

  return (
    <Paper
      withBorder
      p="sm"
      radius="md"
      data-testid="connection-card"
      data-connection-id={c.id}
      aria-label={c.name}
    >
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="md">
        <Stack gap={4} style={{ minWidth: 0 }}>
          <Group gap="xs" wrap="nowrap">
            <ProviderLabel provider={c.kind} />
            <Text fw={600} truncate data-testid="connection-name">
              {c.name}
            </Text>
            {c.demo ? (
              <Badge size="xs" color="grape" variant="light" tt="none" data-testid="demo-badge">
                Demo
              </Badge>
            ) : null}
          </Group>
          <Text size="xs" c="dimmed" ff="monospace" truncate title={c.baseUrl}>
            {c.baseUrl}
          </Text>
          <Group gap="sm" wrap="wrap">
            <ConnectionStateBadge connection={c} />
            {c.status.lastSyncAt !== null ? (
              <RelativeTime size="xs" c="dimmed" atMs={c.status.lastSyncAt} prefix="Last sync" />
            ) : null}
            <Text size="xs" c="dimmed">
              {c.cachedAssets.toLocaleString()} assets cached
              {c.queuedOps > 0 ? ` · ${c.queuedOps.toLocaleString()} queued` : ""}
            </Text>
          </Group>
        </Stack>
        <Group gap="xs" wrap="nowrap">
          <Button
            size="xs"
            variant="default"
            onClick={onTest}
            loading={test?.phase === "running"}
            data-testid="conn-test"
          >
            Test connection
          </Button>
          <Button
            size="xs"
            variant="default"
            onClick={() => permissions.mutate()}
            loading={permissions.isPending}
            data-testid="conn-permissions"
          >
            Check permissions
          </Button>
          {c.demo ? null : (
            <Button size="xs" variant="default" onClick={onEdit} data-testid="conn-edit">
              Edit
            </Button>
          )}
          <Button
            size="xs"
            variant="subtle"
            color="red"
            onClick={onRemove}
            data-testid="conn-remove"
          >
            Remove
          </Button>
        </Group>
      </Group>
      <Group gap="sm" mt="sm" align="center">
        <Select
          size="xs"
          w={200}
          label="Background sync"
          data={scheduleData.map(({ value, label }) => ({ value, label }))}
          value={scheduleValue}
          allowDeselect={false}
          disabled={schedule.isPending}
          data-testid="conn-schedule"
          onChange={(value) => {
            const option = SCHEDULE_OPTIONS.find((o) => o.value === value);
            if (option) schedule.mutate(option.minutes);
          }}
        />
      </Group>
      {test ? (
        <Stack mt="sm">
          <TestResult state={test} />
        </Stack>
      ) : null}
      {permissions.data ? (
        <Stack mt="sm">
          <PermissionList report={permissions.data} />
        </Stack>
      ) : null}
      {permissions.error ? (
        <Alert mt="sm" color="red" variant="light" title="Could not check permissions">
          <Text size="sm">{permissions.error.message}</Text>
        </Alert>
      ) : null}
    </Paper>
  );
}
