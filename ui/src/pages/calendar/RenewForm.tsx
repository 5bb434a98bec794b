import { Button, Group, Stack, Text, TextInput } from "@mantine/core";
import { useEffect, useState } from "react";
import { showDoneToast, showErrorToast } from "../../components/notify";
import { useRenewWarranty } from "../../host";
import { formatDate } from "../assets/warranty";
import { addYears } from "./events";

interface RenewFormProps {
  assetId: number;
  assetName: string;
  /** The current warranty end, if any (the quick buttons extend it). */
  current: string | null;
  today: string;
}

const ISO = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Renew inline: a new warranty end, saved as an ordinary queued edit, so it works offline
 * ("Saved — will sync when online", UX.md "Forms").
 */
export function RenewForm({ assetId, assetName, current, today }: RenewFormProps) {
  const base = current && current > today ? current : today;
  const [value, setValue] = useState(addYears(base, 1));
  const renew = useRenewWarranty();
  useEffect(
    () => setValue(addYears(current && current > today ? current : today, 1)),
    [current, today],
  );
  const [saved, setSaved] = useState<string | null>(null);
  const valid = ISO.test(value);
  const submit = () =>
    renew.mutate(
      { assetId, warrantyEnd: value },
      {
        onSuccess: (out) => {
          setSaved(
            out.queued
              ? `Saved — will sync when online. The warranty now ends ${formatDate(out.warrantyEnd)}.`
              : "That is already the warranty end: nothing changed.",
          );
          showDoneToast(
            out.queued
              ? `Warranty of “${assetName}” now ends ${formatDate(out.warrantyEnd)}. Saved — will sync when online.`
              : "That is already the warranty end: nothing changed.",
          );
          for (const w of out.warnings) showErrorToast("Saved with a warning", w);
        },
        onError: (e) => showErrorToast("Could not renew the warranty", e),
      },
    );
  return (
    <Stack gap={6} data-testid="renew-form">
      <Text size="xs" c="dimmed">
        Renew: set a new warranty end
      </Text>
      <Group gap="xs" align="flex-end" wrap="nowrap">
        <TextInput
          type="date"
          size="xs"
          aria-label="New warranty end"
          data-testid="renew-date"
          value={value}
          onChange={(e) => setValue(e.currentTarget.value)}
          error={valid ? undefined : "Use a full date, e.g. 2028-03-31"}
        />
        <Button size="xs" variant="default" onClick={() => setValue(addYears(base, 1))}>
          +1 year
        </Button>
        <Button size="xs" variant="default" onClick={() => setValue(addYears(base, 3))}>
          +3 years
        </Button>
        <Button
          size="xs"
          data-testid="renew-save"
          disabled={!valid}
          loading={renew.isPending}
          onClick={submit}
        >
          Renew
        </Button>
      </Group>
      {saved ? (
        <Text size="xs" c="teal" data-testid="renew-result">
          {saved}
        </Text>
      ) : null}
    </Stack>
  );
}
