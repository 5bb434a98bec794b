import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  Progress,
  ScrollArea,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { useState } from "react";
import {
  type AssetRow,
  type BulkChange,
  type BulkEditResult,
  type ConnectionOption,
  useBulkUpdate,
  useFormSchema,
} from "../../host";

/** What the dialog can change; `retire` is status Retired + inactive in one step. */
type Action = "status" | "site" | "user" | "type" | "custom" | "retire";

const ACTIONS: { value: Action; label: string }[] = [
  { value: "status", label: "Change status" },
  { value: "site", label: "Change site" },
  { value: "user", label: "Assign to a user" },
  { value: "type", label: "Change type" },
  { value: "custom", label: "Set a custom field" },
  { value: "retire", label: "Retire (retired status + inactive)" },
];

interface BulkEditDialogProps {
  opened: boolean;
  /** The selected rows (only what the list has loaded: the UI never holds the whole set). */
  rows: AssetRow[];
  connections: ConnectionOption[];
  onClose: () => void;
}

const plural = (n: number) => `${n.toLocaleString()} ${n === 1 ? "asset" : "assets"}`;

/**
 * Bulk edit of the selected assets: pick one change, confirm once (naming how many), then
 * see a result per asset. Each asset is its own queued edit, so a refused row (say, a status
 * on Syncro, which has none) never undoes the others.
 */
export function BulkEditDialog({ opened, rows, connections, onClose }: BulkEditDialogProps) {
  const [step, setStep] = useState<"choose" | "confirm" | "done">("choose");
  const [action, setAction] = useState<Action>("status");
  const [connectionId, setConnectionId] = useState<string | null>(null);
  const [value, setValue] = useState<string | null>(null);
  const [customKey, setCustomKey] = useState<string | null>(null);
  const [customValue, setCustomValue] = useState("");
  const [done, setDone] = useState(0);
  const [result, setResult] = useState<BulkEditResult | null>(null);
  const bulk = useBulkUpdate(setDone);

  // Connections in the selection, most assets first: the default is the one most rows
  // belong to.
  const perConnection = new Map<string, number>();
  for (const r of rows)
    perConnection.set(r.connectionId, (perConnection.get(r.connectionId) ?? 0) + 1);
  const inSelection = [...perConnection.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
  const conn = connectionId ?? inSelection[0] ?? null;
  const schema = useFormSchema(opened ? conn : null, null);
  const names = new Map(connections.map((c) => [c.id, c.name]));
  const outside = rows.filter((r) => r.connectionId !== conn).length;
  const s = schema.data;

  const reset = () => {
    setStep("choose");
    setValue(null);
    setResult(null);
    setDone(0);
    bulk.reset();
  };
  const close = () => {
    if (bulk.isPending) return;
    reset();
    onClose();
  };

  const options: { value: string; label: string }[] =
    !s || action === "retire" || action === "custom"
      ? []
      : action === "status"
        ? s.statuses.map((o) => ({ value: String(o.id), label: o.name }))
        : action === "site"
          ? s.sites.map((o) => ({ value: String(o.id), label: o.name }))
          : action === "user"
            ? s.users.map((o) => ({
                value: String(o.id),
                label: o.detail ? `${o.name} · ${o.detail}` : o.name,
              }))
            : s.types.map((o) => ({ value: String(o.id), label: o.name }));
  const customDefs = s ? s.types.flatMap((t) => t.fields.map((f) => ({ ...f, type: t.name }))) : [];
  const customOptions = [...new Map(customDefs.map((d) => [d.key, d])).values()].map((d) => ({
    value: d.key,
    label: d.label,
  }));
  const chosenLabel =
    action === "custom"
      ? `${customOptions.find((o) => o.value === customKey)?.label ?? customKey} = "${customValue}"`
      : (options.find((o) => o.value === value)?.label ?? "none");

  const change: BulkChange | null = (() => {
    if (conn === null) return null;
    switch (action) {
      case "retire":
        return { kind: "retire" };
      case "status":
        return { kind: "status", connectionId: conn, statusId: value === null ? null : +value };
      case "site":
        return { kind: "site", connectionId: conn, siteId: value === null ? null : +value };
      case "user":
        return { kind: "user", connectionId: conn, userId: value === null ? null : +value };
      case "type":
        return value === null ? null : { kind: "type", connectionId: conn, typeId: +value };
      case "custom": {
        if (customKey === null) return null;
        const def = customDefs.find((d) => d.key === customKey);
        const text = customValue.trim();
        const v =
          text === ""
            ? null
            : def?.kind.kind === "number" && Number.isFinite(Number(text))
              ? Number(text)
              : def?.kind.kind === "boolean"
                ? ["yes", "true", "1"].includes(text.toLowerCase())
                : text;
        return { kind: "custom", key: customKey, value: v };
      }
    }
  })();

  const sentence =
    action === "retire"
      ? `Retire ${plural(rows.length)}? They get the retired status (where the connection has one) and are marked inactive.`
      : `${ACTIONS.find((a) => a.value === action)?.label} to "${chosenLabel}" on ${plural(rows.length)}?`;

  const apply = () => {
    if (change === null) return;
    setDone(0);
    bulk.mutate(
      { ids: rows.map((r) => r.id), change },
      {
        onSuccess: (r) => {
          setResult(r);
          setStep("done");
        },
      },
    );
  };

  return (
    <Modal
      opened={opened}
      onClose={close}
      title={`Bulk edit · ${plural(rows.length)}`}
      size="lg"
      data-testid="bulk-edit"
    >
      {step === "choose" ? (
        <Stack gap="sm">
          {inSelection.length > 1 ? (
            <Select
              label="Connection"
              description={`The selection spans ${inSelection.length} connections; values are per connection.`}
              data={inSelection.map((id) => ({ value: id, label: names.get(id) ?? id }))}
              value={conn}
              onChange={(v) => {
                setConnectionId(v);
                setValue(null);
              }}
              allowDeselect={false}
            />
          ) : null}
          <Select
            label="Change"
            data={ACTIONS}
            value={action}
            onChange={(v) => {
              if (v) setAction(v as Action);
              setValue(null);
            }}
            allowDeselect={false}
          />
          {action === "custom" ? (
            <>
              <Select
                label="Custom field"
                data={customOptions}
                value={customKey}
                onChange={setCustomKey}
                searchable
              />
              <TextInput
                label="Value"
                description="Leave empty to clear the field."
                value={customValue}
                onChange={(e) => setCustomValue(e.currentTarget.value)}
              />
            </>
          ) : action !== "retire" ? (
            <Select
              label={action === "user" ? "User" : ACTIONS.find((a) => a.value === action)?.label}
              placeholder={action === "type" ? "Choose a type" : "None (clears it)"}
              data={options}
              value={value}
              onChange={setValue}
              searchable
              clearable={action !== "type"}
              nothingFoundMessage={
                action === "status" && s && !s.capabilities.asset_status
                  ? "This provider has no asset status"
                  : "Nothing matches"
              }
            />
          ) : null}
          {outside > 0 && action !== "custom" && action !== "retire" ? (
            <Text fz="xs" c="dimmed">
              {plural(outside)} from other connections will be skipped (their values differ).
            </Text>
          ) : null}
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button disabled={change === null} onClick={() => setStep("confirm")}>
              Review
            </Button>
          </Group>
        </Stack>
      ) : step === "confirm" ? (
        <Stack gap="sm">
          <Text fz="sm" data-testid="bulk-confirm">
            {sentence}
          </Text>
          <Text fz="xs" c="dimmed">
            Each change is saved here at once and queued for the next sync.
          </Text>
          {bulk.isPending ? (
            <Progress
              value={rows.length === 0 ? 0 : (done / rows.length) * 100}
              aria-label="Bulk edit progress"
              animated
            />
          ) : null}
          {bulk.isError ? (
            <Alert color="red" title="The bulk edit stopped">
              {bulk.error.message}
            </Alert>
          ) : null}
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={() => setStep("choose")} disabled={bulk.isPending}>
              Back
            </Button>
            <Button
              color={action === "retire" ? "red" : undefined}
              onClick={apply}
              loading={bulk.isPending}
              data-testid="bulk-apply"
            >
              Apply to {plural(rows.length)}
            </Button>
          </Group>
        </Stack>
      ) : result ? (
        <BulkResult result={result} onClose={close} />
      ) : null}
    </Modal>
  );
}

const STATUS_COLOR = { updated: "teal", unchanged: "gray", failed: "red" } as const;

function BulkResult({ result, onClose }: { result: BulkEditResult; onClose: () => void }) {
  return (
    <Stack gap="sm">
      <Text fz="sm" fw={500} data-testid="bulk-summary">
        {result.updated} updated · {result.unchanged} unchanged · {result.failed} failed
      </Text>
      <ScrollArea.Autosize mah={320}>
        <Table fz="sm" striped data-testid="bulk-results">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Asset</Table.Th>
              <Table.Th>Result</Table.Th>
              <Table.Th>Note</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {result.rows.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>{r.name ?? `#${r.id}`}</Table.Td>
                <Table.Td>
                  <Badge size="sm" variant="light" color={STATUS_COLOR[r.status]}>
                    {r.status}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text fz="xs" c={r.status === "failed" ? "red" : "dimmed"}>
                    {r.message ?? (r.status === "updated" ? "Queued for sync" : "")}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea.Autosize>
      <Group justify="flex-end">
        <Button onClick={onClose}>Done</Button>
      </Group>
    </Stack>
  );
}
