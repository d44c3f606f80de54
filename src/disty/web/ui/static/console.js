// disty console: the two behaviours the pages need, written here (no framework, nothing
// fetched from elsewhere):
// - a button with data-copy="ID" copies that element's text to the clipboard;
// - a section with an id and data-refresh="SECONDS" is re-read from the server on that
//   schedule and replaced in place, so statuses tick without a reload (forms being typed
//   in are never replaced);
// - a form that posts cannot be sent twice: once sent, its buttons are disabled, and the one
//   pressed says what is happening (the form's data-busy, e.g. "Testing: asking Ingram
//   Micro…"); the server's idempotency covers the rest (a PO number is placed once).
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

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
  if (event.defaultPrevented) return;
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
  form.setAttribute("aria-busy", "true");
  const pressed = event.submitter;
  // Disabled after this turn: a disabled button's name and value would leave the form's data.
  setTimeout(() => {
    form.querySelectorAll("button[type=submit], button:not([type])").forEach((button) => {
      button.disabled = true;
    });
    if (pressed && form.dataset.busy) {
      pressed.dataset.label = pressed.textContent;
      pressed.textContent = form.dataset.busy;
    }
  }, 0);
});

// Back to a page the browser kept (back button): its forms may be sent again.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  document.querySelectorAll("form[data-sent]").forEach((form) => {
    delete form.dataset.sent;
    form.removeAttribute("aria-busy");
    form.querySelectorAll("button").forEach((button) => {
      button.disabled = false;
      if (button.dataset.label) button.textContent = button.dataset.label;
    });
  });
});
