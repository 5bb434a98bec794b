import type { TestStatus } from "../../host";

/**
 * The headline per "Test connection" outcome. Each failure has its own words, so a glance
 * tells a wrong secret from a bad URL; Rust's sentence under it says what to do.
 */
export const TEST_HEADLINE: Record<TestStatus, { title: string; color: string }> = {
  ok: { title: "Connected", color: "teal" },
  bad_url: { title: "Bad URL", color: "red" },
  unreachable: { title: "Unreachable", color: "orange" },
  bad_credentials: { title: "Wrong credentials", color: "red" },
  missing_permission: { title: "Missing permission", color: "red" },
  rate_limited: { title: "Rate limited", color: "yellow" },
  provider_error: { title: "The provider failed", color: "orange" },
  no_secret: { title: "No secret stored", color: "red" },
};

/** Background sync intervals offered per connection; `null` turns background sync off. */
export const SCHEDULE_OPTIONS: { value: string; label: string; minutes: number | null }[] = [
  { value: "off", label: "Off (sync by hand)", minutes: null },
  { value: "5", label: "Every 5 minutes", minutes: 5 },
  { value: "15", label: "Every 15 minutes", minutes: 15 },
  { value: "30", label: "Every 30 minutes", minutes: 30 },
  { value: "60", label: "Every hour", minutes: 60 },
  { value: "240", label: "Every 4 hours", minutes: 240 },
];
