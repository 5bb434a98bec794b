import { Alert, Button, Code, Stack } from "@mantine/core";
import { Component, type ErrorInfo, type ReactNode } from "react";

interface State {
  error: Error | null;
}

/**
 * Last line of defence: a bug while rendering shows what broke and a way out instead of a
 * blank window. Backend errors do not end up here; pages show those next to what failed.
 */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error("AssetDesk: the interface crashed", error, info.componentStack);
  }

  render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <Stack p="lg" maw={640}>
        <Alert color="red" variant="light" title="Something went wrong in the interface">
          <Stack gap="sm">
            <Code block>{error.message}</Code>
            <Button
              size="xs"
              variant="default"
              w="fit-content"
              onClick={() => window.location.reload()}
            >
              Reload the window
            </Button>
          </Stack>
        </Alert>
      </Stack>
    );
  }
}
