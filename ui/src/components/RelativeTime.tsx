import { Text, type TextProps } from "@mantine/core";
import { useEffect, useState } from "react";

const MINUTE: [Intl.RelativeTimeFormatUnit, number] = ["minute", 60_000];
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  MINUTE,
];

/** "3 minutes ago", "yesterday", "just now", in the user's locale. */
export function relativeTime(atMs: number, nowMs: number): string {
  const delta = atMs - nowMs;
  if (Math.abs(delta) < 45_000) return "just now";
  const [unit, ms] = UNITS.find(([, size]) => Math.abs(delta) >= size) ?? MINUTE;
  return new Intl.RelativeTimeFormat(undefined, { numeric: "auto" }).format(
    Math.round(delta / ms),
    unit,
  );
}

/** Re-renders every 30 s so relative times stay true while the page is open. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/**
 * A relative time with the absolute one on hover (UX.md "Look": "synced 3 min ago" with the
 * absolute time on hover). `prefix` reads before it ("Synced").
 */
export function RelativeTime({
  atMs,
  prefix,
  ...text
}: { atMs: number; prefix?: string } & TextProps) {
  const now = useNow();
  const date = new Date(atMs);
  const words = relativeTime(atMs, now);
  return (
    <Text component="time" dateTime={date.toISOString()} title={date.toLocaleString()} {...text}>
      {prefix ? `${prefix} ${words}` : words}
    </Text>
  );
}
