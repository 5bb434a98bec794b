import {
  Badge,
  Box,
  Button,
  Group,
  Loader,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import { type FormEvent, useState } from "react";
import { showDoneToast, showErrorToast } from "../../components/notify";
import { RelativeTime } from "../../components/RelativeTime";
import {
  type AssetTicket,
  type TicketRequest,
  useAssetTickets,
  useCreateTicket,
  useRetryTicket,
} from "../../host";

/** The longest summary the backend accepts (`MAX_TICKET_SUMMARY` in the store). */
const MAX_SUMMARY = 200;

const REQUEST_LABELS: Record<TicketRequest["state"], string> = {
  queued: "Queued — will be created when online",
  sending: "Sending — confirmed at the next sync",
  failed: "Not created",
  created: "Created",
};

function TicketRow({ ticket }: { ticket: AssetTicket }) {
  return (
    <Box data-testid="ticket-row">
      <Group gap={6} wrap="nowrap" justify="space-between">
        <Text fz="xs" fw={600} truncate title={ticket.summary}>
          <Text span fz="xs" c="dimmed" fw={400}>
            #{ticket.remoteId}{" "}
          </Text>
          {ticket.summary}
        </Text>
        {ticket.status ? (
          <Badge size="xs" variant="light" style={{ flexShrink: 0 }}>
            {ticket.status}
          </Badge>
        ) : null}
      </Group>
      {ticket.openedAt ? (
        <RelativeTime atMs={Date.parse(ticket.openedAt)} prefix="Opened" fz="xs" c="dimmed" />
      ) : null}
    </Box>
  );
}

function RequestRow({ request }: { request: TicketRequest }) {
  const retry = useRetryTicket();
  return (
    <Box data-testid="ticket-request">
      <Text fz="xs" fw={600} truncate title={request.summary}>
        {request.summary}
      </Text>
      <Text fz="xs" c={request.state === "failed" ? "red" : "indigo"}>
        {REQUEST_LABELS[request.state]}
        {request.state === "failed" && request.lastError ? `: ${request.lastError}` : ""}
      </Text>
      {request.state === "failed" ? (
        <Button
          size="compact-xs"
          variant="subtle"
          loading={retry.isPending}
          onClick={() =>
            retry.mutate(request.clientOpId, {
              onSuccess: () => showDoneToast("Ticket queued again for the next sync"),
              onError: (e) => showErrorToast("Could not retry the ticket", e),
            })
          }
        >
          Retry
        </Button>
      ) : null}
    </Box>
  );
}

/** The small "Create ticket for this asset" form: summary required, details optional. */
function NewTicketForm({ assetId, onDone }: { assetId: number; onDone: () => void }) {
  const create = useCreateTicket();
  const [summary, setSummary] = useState("");
  const [details, setDetails] = useState("");
  const [touched, setTouched] = useState(false);
  const trimmed = summary.trim();
  const error = !touched
    ? null
    : trimmed === ""
      ? "Type a summary: what is the problem?"
      : trimmed.length > MAX_SUMMARY
        ? `At most ${MAX_SUMMARY} characters; move the rest into the details`
        : null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (trimmed === "" || trimmed.length > MAX_SUMMARY) return;
    create.mutate(
      { assetId, summary: trimmed, details },
      {
        onSuccess: () => {
          showDoneToast("Ticket queued — it is created at the provider on the next sync");
          onDone();
        },
        onError: (err) => showErrorToast("Could not queue the ticket", err),
      },
    );
  };

  return (
    <Box component="form" onSubmit={submit} aria-label="New ticket" noValidate>
      <Stack gap={6}>
        <TextInput
          label="Summary"
          size="xs"
          required
          autoFocus
          value={summary}
          error={error}
          onChange={(e) => setSummary(e.currentTarget.value)}
          onBlur={() => setTouched(true)}
        />
        <Textarea
          label="Details"
          size="xs"
          rows={3}
          value={details}
          onChange={(e) => setDetails(e.currentTarget.value)}
        />
        <Group gap="xs" justify="flex-end">
          <Button size="compact-sm" variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button size="compact-sm" type="submit" loading={create.isPending}>
            Create ticket
          </Button>
        </Group>
      </Stack>
    </Box>
  );
}

/**
 * The asset's tickets in the detail panel, and "Create ticket for this asset". A new ticket is
 * always queued first (it works offline) and listed as queued until a sync creates it.
 */
export function TicketsSection({ assetId }: { assetId: number }) {
  const tickets = useAssetTickets(assetId);
  const [creating, setCreating] = useState(false);
  return (
    <Box component="section" aria-label="Tickets" data-testid="tickets">
      <Group justify="space-between" mb={6} wrap="nowrap">
        <Title order={3} fz="xs" tt="uppercase" c="dimmed" style={{ letterSpacing: "0.03em" }}>
          Tickets
        </Title>
        {creating ? null : (
          <Button
            size="compact-xs"
            variant="light"
            leftSection={<IconPlus size={12} aria-hidden />}
            onClick={() => setCreating(true)}
          >
            Create ticket for this asset
          </Button>
        )}
      </Group>
      <Stack gap={8}>
        {creating ? <NewTicketForm assetId={assetId} onDone={() => setCreating(false)} /> : null}
        {tickets.isPending ? (
          <Loader size="xs" aria-label="Loading the tickets" />
        ) : tickets.isError ? (
          <Text fz="xs" c="red">
            {tickets.error.message}
          </Text>
        ) : tickets.data.tickets.length === 0 && tickets.data.queued.length === 0 ? (
          <Text fz="xs" c="dimmed">
            No tickets for this asset in the cache. Tickets created here appear at once.
          </Text>
        ) : (
          <>
            {tickets.data.queued.map((r) => (
              <RequestRow key={r.clientOpId} request={r} />
            ))}
            {tickets.data.tickets.map((t) => (
              <TicketRow key={t.remoteId} ticket={t} />
            ))}
          </>
        )}
        {tickets.data?.refreshError ? (
          <Text fz="xs" c="dimmed">
            Showing cached tickets: {tickets.data.refreshError}
          </Text>
        ) : null}
      </Stack>
    </Box>
  );
}
