import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { Providers } from "../app/Providers";
import { createQueryClient } from "../lib/queryClient";

/** Renders `ui` inside the app's real providers with a fresh query cache. */
export function renderWithProviders(ui: ReactElement) {
  const queryClient = createQueryClient();
  return { queryClient, ...render(<Providers queryClient={queryClient}>{ui}</Providers>) };
}
