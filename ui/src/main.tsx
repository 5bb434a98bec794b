import "@mantine/core/styles.css";
import "@mantine/notifications/styles.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app/App";
import { Providers } from "./app/Providers";
import { ErrorBoundary } from "./components/ErrorBoundary";
import { createQueryClient } from "./lib/queryClient";
import { markOnce } from "./lib/startupMarks";

markOnce("assetdesk:script");

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element to render AssetDesk into");

createRoot(root).render(
  <StrictMode>
    <Providers queryClient={createQueryClient()}>
      <ErrorBoundary>
        <App />
      </ErrorBoundary>
    </Providers>
  </StrictMode>,
);
