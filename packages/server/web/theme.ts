/*
 * Light or dark: the system's preference until the viewer picks one with the toggle; the pick is
 * remembered in localStorage. style.css reads `data-theme` on <html>, or the media query when unset.
 */

const KEY = "claude-gauge-theme";
type Theme = "light" | "dark";

function stored(): Theme | null {
  try {
    const v = localStorage.getItem(KEY);
    return v === "light" || v === "dark" ? v : null;
  } catch {
    return null; // storage can be disabled; the toggle then lasts for the visit
  }
}

function current(): Theme {
  const set = document.documentElement.dataset["theme"];
  if (set === "light" || set === "dark") return set;
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export function themeToggle(): HTMLButtonElement {
  const pick = stored();
  if (pick) document.documentElement.dataset["theme"] = pick;
  const b = document.createElement("button");
  b.type = "button";
  b.className = "theme-toggle";
  const label = () => {
    const next = current() === "dark" ? "light" : "dark";
    b.textContent = next === "dark" ? "☾" : "☀";
    b.setAttribute("aria-label", `Switch to ${next} theme`);
    b.title = `Switch to ${next} theme`;
  };
  b.addEventListener("click", () => {
    const next: Theme = current() === "dark" ? "light" : "dark";
    document.documentElement.dataset["theme"] = next;
    try {
      localStorage.setItem(KEY, next);
    } catch {
      // see stored()
    }
    label();
  });
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", label);
  label();
  return b;
}
