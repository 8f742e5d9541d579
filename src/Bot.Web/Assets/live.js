// Keeps an open page current: the element carrying data-live names a stream of server-sent events;
// on "changed" the page fetches itself and swaps that element's content in place (no reload: the
// filters being edited, focus elsewhere and the scroll position stay as they were).
"use strict";
(function () {
  const region = document.querySelector("[data-live]");
  if (!region || !region.id) return;
  const id = region.id;
  let version = region.dataset.version || "";
  // What the region shows, as the parser serialises it: a change elsewhere in the run (its version
  // moved, this page's content did not) swaps nothing, so nothing is replaced under the pointer.
  let shown = region.innerHTML;
  // A swap between a press and its release would take the click away from what was pressed (the
  // pressed link is gone when the button comes up): while a pointer is down in the region, the
  // newest content waits, and goes in once the click that ends the press has been handled.
  let pressed = false;
  let waiting = null;
  region.addEventListener("pointerdown", function () { pressed = true; }, true);
  for (const type of ["pointerup", "pointercancel"]) {
    document.addEventListener(type, function () {
      pressed = false;
      if (waiting === null) return;
      const html = waiting;
      waiting = null;
      setTimeout(function () { swap(html); }, 0);
    }, true);
  }
  const source = new EventSource(region.dataset.live + "?since=" + encodeURIComponent(version));
  source.addEventListener("changed", async function (event) {
    version = event.data;
    try {
      const response = await fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const next = page.getElementById(id);
      const current = document.getElementById(id);
      if (!next || !current) return;
      if (!next.dataset.live) source.close();
      // The version this page has caught up with, swapped or not (tests and curious users read it).
      current.dataset.seen = version;
      if (next.innerHTML === shown) return;
      shown = next.innerHTML;
      if (pressed) waiting = shown;
      else swap(shown);
    } catch (e) {
      // A failed refresh is retried on the next change.
    }
  });

  source.addEventListener("ended", function () { source.close(); });

  function swap(html) {
    const current = document.getElementById(id);
    if (!current) return;
    const open = Array.from(current.querySelectorAll("details[open]")).map(d => d.id).filter(Boolean);
    const focused = focusKey(current);
    current.innerHTML = html;
    open.forEach(o => { const d = document.getElementById(o); if (d) d.open = true; });
    // A keyboard user inside the region keeps their place: the same link or control gets focus again.
    if (focused) { const again = current.querySelector(focused); if (again) again.focus({ preventScroll: true }); }
  }

  // A selector that finds the focused element again in the swapped-in content (by id, else by link target).
  function focusKey(container) {
    const el = document.activeElement;
    if (!el || el === document.body || !container.contains(el)) return null;
    if (el.id) return "#" + CSS.escape(el.id);
    const href = el.getAttribute("href");
    return href ? el.tagName.toLowerCase() + '[href="' + CSS.escape(href) + '"]' : null;
  }
})();
