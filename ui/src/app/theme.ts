import { type CSSVariablesResolver, createTheme, Notification, Title } from "@mantine/core";

/**
 * WebKitGTK (Linux) resolves every family of a stack through fontconfig, again for each size
 * and weight in use: with the cross-platform stack below, font matching took ~180 ms of the
 * web process's launch on the bench machine, and launch-to-rows went from ~650 to ~420 ms of
 * page time with plain generic families. On Linux the generic families already are the
 * desktop's configured fonts, so they are the system font there; WebView2 and WKWebView
 * resolve `system-ui` natively.
 */
const LINUX =
  typeof navigator !== "undefined" &&
  /Linux/.test(navigator.userAgent) &&
  !/Android/.test(navigator.userAgent);
const SANS = LINUX
  ? "sans-serif"
  : 'system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, Cantarell, "Noto Sans", "Helvetica Neue", Arial, sans-serif';
const MONO = LINUX
  ? "monospace"
  : 'ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace';

/**
 * The look in UX.md: system fonts, 13–14 px text, an 8 px spacing grid, one accent colour
 * (indigo), small radii. Shades and the dimmed text colour are chosen so text keeps at least
 * WCAG AA contrast (4.5:1) in both schemes; Mantine's stock dimmed grey is 3.3:1 on white.
 */
export const theme = createTheme({
  primaryColor: "indigo",
  // White on indigo.7 is 5.0:1, on indigo.8 5.7:1 (indigo.6, Mantine's default, is 4.3:1).
  primaryShade: { light: 7, dark: 8 },
  fontFamily: SANS,
  fontFamilyMonospace: MONO,
  headings: {
    fontFamily: SANS,
    fontWeight: "600",
    sizes: {
      h1: { fontSize: "20px", lineHeight: "28px" },
      h2: { fontSize: "16px", lineHeight: "24px" },
      h3: { fontSize: "14px", lineHeight: "20px" },
    },
  },
  fontSizes: { xs: "12px", sm: "13px", md: "14px", lg: "16px", xl: "18px" },
  lineHeights: { xs: "1.4", sm: "1.45", md: "1.5", lg: "1.5", xl: "1.5" },
  spacing: { xs: "4px", sm: "8px", md: "16px", lg: "24px", xl: "32px" },
  radius: { xs: "2px", sm: "4px", md: "6px", lg: "8px", xl: "12px" },
  defaultRadius: "sm",
  cursorType: "pointer",
  components: {
    // Headings in the strongest text colour in both schemes (Mantine's dark-scheme default is
    // a grey that made page titles weaker than the text under them).
    Title: Title.extend({ defaultProps: { c: "bright" } }),
    // Mantine greys a titled notification's message to 3.3:1 on white; use the AA dimmed colour.
    Notification: Notification.extend({
      styles: { description: { color: "var(--mantine-color-dimmed)" } },
    }),
  },
});

/**
 * Raises the dimmed (secondary) text colour to AA contrast in both schemes, and sets the rail
 * background (a shade off the page, so the rail reads as chrome, not content).
 */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    // 5.8:1 on white, 5.5:1 on gray.0 (the rail).
    "--mantine-color-dimmed": "#5f666d",
    "--assetdesk-rail-bg": "var(--mantine-color-gray-0)",
  },
  dark: {
    // 5.5:1 on dark.7 (the body).
    "--mantine-color-dimmed": "#9a9a9a",
    "--assetdesk-rail-bg": "var(--mantine-color-dark-8)",
  },
});
