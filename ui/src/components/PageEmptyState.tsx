import { EmptyState } from "@mantine/core";
import type { Icon } from "@tabler/icons-react";
import type { ReactNode } from "react";

interface PageEmptyStateProps {
  icon: Icon;
  title: string;
  /** What is missing and what to do about it (UX.md: "Empty states teach"). */
  description: ReactNode;
  /** Real next steps only: every button here must do something. */
  actions?: ReactNode;
}

/** A page with nothing to show yet, saying why and what the user can do next. */
export function PageEmptyState({
  icon: IconComponent,
  title,
  description,
  actions,
}: PageEmptyStateProps) {
  return (
    <EmptyState
      data-testid="empty-state"
      variant="light"
      size="md"
      mt="xl"
      mx="auto"
      maw={440}
      icon={<IconComponent size={24} stroke={1.75} aria-hidden />}
      title={title}
      description={description}
    >
      {actions ? <EmptyState.Actions>{actions}</EmptyState.Actions> : null}
    </EmptyState>
  );
}
