import { Box, Stack, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";

interface PageProps {
  /** The page heading; E2E tests find it by `data-testid="page-title"`. */
  title: string;
  /** One line under the heading saying what the page is for. */
  description?: ReactNode;
  children: ReactNode;
}

/** The frame every top-level page shares: heading, one-line purpose, then content. */
export function Page({ title, description, children }: PageProps) {
  return (
    <Stack gap="lg" p="lg" h="100%">
      <Box component="header">
        <Title order={1} data-testid="page-title">
          {title}
        </Title>
        {description ? (
          <Text size="sm" c="dimmed" mt={4}>
            {description}
          </Text>
        ) : null}
      </Box>
      {children}
    </Stack>
  );
}
