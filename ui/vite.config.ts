import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// Tauri expects a fixed dev port (tauri.conf.json `devUrl`) and a target its webviews support;
// see shared/reference/tauri-feasibility.md §4. Vitest reads the `test` block of this file.
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  envPrefix: ["VITE_", "TAURI_ENV_*"],
  server: {
    port: 5173,
    strictPort: true,
  },
  build: {
    // safari13 is the oldest WebKit Tauri supports (macOS, and WebKitGTK on Linux); chrome105
    // stands for WebView2 on Windows. Naming both matters: for safari13 alone, Lightning CSS
    // rewrites logical properties with multi-argument `:lang()` selectors that Chromium drops,
    // which broke Mantine's layout in WebView2 (seen as misplaced notification bars).
    target: ["safari13", "chrome105"],
    outDir: "dist",
    emptyOutDir: true,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
    clearMocks: true,
    restoreMocks: true,
  },
});
