import "@mantine/core/styles.css";
import "@mantine/notifications/styles.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app/App";
import { Providers } from "./app/Providers";
import { ErrorBoundary } from "./components/ErrorBoundary";
import { createQueryClient } from "./lib/queryClient";
import { markOnce } from "./lib/startupMarks";
import { prefetchFirstAssetList } from "./pages/assets/AssetsPage";

markOnce("assetdesk:script");

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element to render AssetDesk into");

const queryClient = createQueryClient();

/**
 * The first render waits for the opening list (one round trip, ~30 ms with 200k assets), so
 * the window paints rows at once instead of a spinner and then the rows a render later. A
 * slow open (a migration, a cold disk) does not hold the window blank: after this long it
 * renders with its loading states.
 */
const FIRST_RENDER_WAIT_MS = 250;

const firstList = prefetchFirstAssetList(queryClient);
const waited = new Promise<void>((resolve) => setTimeout(resolve, FIRST_RENDER_WAIT_MS));
void Promise.race([firstList, waited]).then(() =>
  createRoot(root).render(
    <StrictMode>
      <Providers queryClient={queryClient}>
        <ErrorBoundary>
          <App />
        </ErrorBoundary>
      </Providers>
    </StrictMode>,
  ),
);
