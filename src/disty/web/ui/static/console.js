// disty console: the two behaviours the pages need, written here (no framework, nothing
// fetched from elsewhere):
// - a button with data-copy="ID" copies that element's text to the clipboard;
// - a section with an id and data-refresh="SECONDS" is re-read from the server on that
//   schedule and replaced in place, so statuses tick without a reload (forms being typed
//   in are never replaced).
"use strict";

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  try {
    await navigator.clipboard.writeText(source.textContent.trim());
    button.textContent = "Copied";
  } catch (_) {
    const range = document.createRange();
    range.selectNodeContents(source);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    button.textContent = "Selected: press Ctrl+C";
  }
});

function refresh(section) {
  const seconds = Number(section.dataset.refresh);
  if (!section.id || !(seconds > 0)) return;
  setInterval(async () => {
    if (document.hidden || section.contains(document.activeElement)) return;
    try {
      const answer = await fetch(window.location.href, { credentials: "same-origin" });
      if (!answer.ok) return;
      const page = new DOMParser().parseFromString(await answer.text(), "text/html");
      const fresh = page.getElementById(section.id);
      if (fresh) section.innerHTML = fresh.innerHTML;
    } catch (_) {
      // Offline for a moment: the next tick tries again.
    }
  }, seconds * 1000);
}

document.querySelectorAll("[data-refresh]").forEach(refresh);
