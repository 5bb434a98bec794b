import { Group, Text } from "@mantine/core";
import { AppStatusBadge } from "../components/AppStatusBadge";
import { useAppStatus } from "../host";

/** Product name on the left; on the right, whether the local cache is usable. */
export function TopBar() {
  const status = useAppStatus();
  return (
    <Group h="100%" px="md" justify="space-between" wrap="nowrap">
      <Group gap="sm" wrap="nowrap">
        <img src="/favicon.svg" alt="" width={24} height={24} />
        <Text fw={600} size="md" c="bright" data-testid="product-name">
          AssetDesk
        </Text>
      </Group>
      <AppStatusBadge status={status} />
    </Group>
  );
}
