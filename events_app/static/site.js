// Progressive enhancement: add the visitor's own time to <time data-local> (timed events only),
// unless the visitor's zone has the event zone's offset anyway.
(() => {
  const day = { year: "numeric", month: "short", day: "numeric" };
  const clock = { hour: "numeric", minute: "2-digit", timeZoneName: "short" };
  const sameDay = (a, b) => a.toDateString() === b.toDateString();
  document.querySelectorAll("time[data-local]").forEach((el) => {
    const start = new Date(el.getAttribute("datetime"));
    if (Number.isNaN(start.getTime())) return;
    // Same offset as the event's own zone at that moment: the page already says it.
    const offset = el.getAttribute("data-offset");
    if (offset !== null && Number(offset) === -start.getTimezoneOffset()) return;
    const format = new Intl.DateTimeFormat(undefined, { ...day, ...clock });
    let text = format.format(start);
    const end = new Date(el.getAttribute("data-end") || "");
    if (!Number.isNaN(end.getTime()) && end > start) {
      // "Dec 2, 2026, 7:00 – 8:00 PM UTC": what both ends share is written once, as the
      // event's own time is; older browsers write both ends whole.
      text = format.formatRange ? format.formatRange(start, end) : `${text} – ${
        sameDay(start, end) ? end.toLocaleTimeString(undefined, clock) : format.format(end)}`;
    }
    const note = document.createElement("span");
    note.className = "local-time";
    note.textContent = ` (your time: ${text})`;
    el.after(note);
  });
})();

// Phones: the filters beyond the search box fold behind a "More filters" button, so the first
// events show on the first screen; not while one of them is in use (nor without JavaScript).
(() => {
  const more = document.querySelector("[data-more-filters]");
  if (!more || !window.matchMedia("(max-width: 700px)").matches) return;
  if ([...more.querySelectorAll("input, select")].some((el) => el.value)) return;
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
