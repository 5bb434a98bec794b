import { NavLink, Stack } from "@mantine/core";
import { SyncRailBadge } from "../components/SyncRailBadge";
import { useNavigation } from "../lib/navigation";
import { PAGES } from "./pages";

/**
 * The left rail. Items are real buttons, so Tab reaches them and Enter or Space opens them;
 * Ctrl/Cmd+1…4 jump straight to them (bound in App). The current page is marked both visually
 * and with `aria-current` for screen readers.
 */
export function NavRail() {
  const { page, navigate } = useNavigation();
  return (
    <Stack component="nav" aria-label="Main" gap={2} p="sm">
      {PAGES.map(({ id, label, icon: Icon }, index) => {
        const active = id === page;
        return (
          <NavLink
            key={id}
            component="button"
            type="button"
            data-testid={`nav-${id}`}
            label={label}
            leftSection={<Icon size={18} stroke={1.75} aria-hidden />}
            rightSection={id === "sync" ? <SyncRailBadge /> : undefined}
            active={active}
            aria-current={active ? "page" : undefined}
            aria-keyshortcuts={`Control+${index + 1} Meta+${index + 1}`}
            onClick={() => navigate(id)}
            variant="light"
            fw={active ? 600 : 500}
            style={{ borderRadius: "var(--mantine-radius-sm)" }}
          />
        );
      })}
    </Stack>
  );
}
