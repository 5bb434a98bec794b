import { Alert, Button, Group, Text } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import type { HostError } from "../host";

interface HostErrorAlertProps {
  /** What the user was trying to see, e.g. "Could not load app information". */
  title: string;
  error: HostError;
  /** Offered as a Retry button when given. */
  onRetry?: () => void;
  retrying?: boolean;
}

/**
 * Shows a backend error the way UX.md asks ("show the message, offer the fix"): the backend's
 * own message, its code for support, and Retry when trying again can help.
 */
export function HostErrorAlert({ title, error, onRetry, retrying = false }: HostErrorAlertProps) {
  return (
    <Alert
      data-testid="host-error"
      color="red"
      variant="light"
      title={title}
      icon={<IconAlertTriangle size={18} aria-hidden />}
    >
      <Text size="sm" data-testid="host-error-message">
        {error.message}
      </Text>
      <Group gap="sm" mt="sm">
        {onRetry ? (
          <Button size="xs" variant="default" onClick={onRetry} loading={retrying}>
            Retry
          </Button>
        ) : null}
        <Text size="xs" c="dimmed">
          Error code: {error.code}
        </Text>
      </Group>
    </Alert>
  );
}
