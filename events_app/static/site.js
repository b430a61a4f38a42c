// Arriving after an action: start at what it said. A refused form's list of errors first
// (each links to its field), else a save that was stopped (a colleague's save met, the item
// deleted meanwhile: [data-start-here]), else the message of what was done.
(() => {
  const errors = document.getElementById("form-errors");
  const stopped = document.querySelector("main [data-start-here]");
  const flashes = document.getElementById("flashes");
  // A page that starts in a field of its own (sign-in after signing out) keeps it.
  const start = errors || stopped || (document.querySelector("[autofocus]") ? null : flashes);
  if (start) {
    start.focus();
    // An address with a #fragment: the browser's jump to it comes later and takes the focus
    // (to its element, or to none).
    if (location.hash) {
      let jumpedTo = null;
      try {
        jumpedTo = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      } catch { /* a malformed %-escape: no element */ }
      window.addEventListener("load", () => setTimeout(() => {
        if ([document.body, jumpedTo].includes(document.activeElement)) start.focus();
      }), { once: true });
    }
  }
  if (!errors) return;
  // Following a link to a field: focus it with its label (or its group's legend) in sight; the
  // browser's own jump puts the field at the very top, its label out of sight.
  errors.addEventListener("click", (e) => {
    const link = e.target.closest("a[href^='#']");
    const field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    e.preventDefault();
    const label = document.querySelector(`label[for="${CSS.escape(field.id)}"]`)
      || field.closest(".field-choices")?.querySelector("legend") || field;
    field.focus({ preventScroll: true });
    label.scrollIntoView({ block: "start" });
  });
})();

// Progressive enhancement: add the visitor's own time to <time data-local> (timed events only),
// unless the visitor's zone has the event zone's offset anyway (visitor-time.js).
document.querySelectorAll("time[data-local]").forEach((el) => {
  const text = visitorTime(
    el.getAttribute("datetime"), el.getAttribute("data-end"), el.getAttribute("data-offset"),
    el.getAttribute("data-end-offset"));
  if (text === null) return;
  const note = document.createElement("span");
  note.className = "local-time";
  note.textContent = ` (your time: ${text})`;
  el.after(note);
});

// Phones: the filters beyond the search box fold behind a "More filters" button, so the first
// events show on the first screen; not while one of them is in use (nor without JavaScript).
(() => {
  const more = document.querySelector("[data-more-filters]");
  if (!more || !window.matchMedia("(max-width: 700px)").matches) return;
  if ([...more.querySelectorAll("input, select")].some((el) => el.value)) return;
  if (more.querySelector("[aria-invalid]")) return; // a date refused beside its field
  const button = document.createElement("button");
  button.type = "button";
  button.className = "more-filters-toggle";
  button.textContent = "More filters";
  button.setAttribute("aria-controls", more.id);
  button.setAttribute("aria-expanded", "false");
  button.addEventListener("click", () => {
    more.hidden = !more.hidden;
    button.setAttribute("aria-expanded", String(!more.hidden));
  });
  more.hidden = true;
  more.before(button);
})();

// A search or filter form sends only the fields filled in: "/events/?q=optical", not
// "...&kind=&category=&place=&from=&to=" (one address per view, for sharing and for caches).
document.querySelectorAll("form[role=search][method=get]").forEach((form) => {
  form.addEventListener("formdata", (e) => {
    for (const [name, value] of [...e.formData.entries()]) {
      if (value === "") e.formData.delete(name);
    }
  });
});

// An event or series reached from a list, a search or the month calendar: a link back to
// it as it was (its search, filters and page). Read from the referrer, which only the browser
// knows: the page's HTML stays one for everyone, cached once.
(() => {
  const slot = document.querySelector("[data-back-to-results]");
  if (!slot || !document.referrer) return;
  let from;
  try {
    from = new URL(document.referrer);
  } catch { return; }
  // The site's path (an app served under one): the default link is <path>/events/.
  const base = new URL(slot.querySelector("a").href).pathname.replace(/events\/$/, "");
  const listing = /^(events\/|categories\/[^/]+|calendar\/.*|webinars\/(archive)?)$/;
  if (from.origin !== location.origin || !from.pathname.startsWith(base)) return;
  const path = from.pathname.slice(base.length);
  if (!listing.test(path)) return;
  slot.querySelector("a").href = from.href;
  slot.querySelector("[data-label]").textContent = (from.searchParams.get("q") || "").trim()
    ? "Back to search results"
    : path.startsWith("calendar/") ? "Back to the calendar" : "Back to the list";
  slot.hidden = false;
})();
