// Progressive enhancement: add the visitor's own zone to <time data-local> (timed events only).
(() => {
  const opts = { dateStyle: "medium", timeStyle: "short", timeZoneName: "short" };
  const sameDay = (a, b) => a.toDateString() === b.toDateString();
  document.querySelectorAll("time[data-local]").forEach((el) => {
    const start = new Date(el.getAttribute("datetime"));
    if (Number.isNaN(start.getTime())) return;
    let text = start.toLocaleString(undefined, opts);
    const endAttr = el.getAttribute("data-end");
    const end = endAttr ? new Date(endAttr) : null;
    if (end && !Number.isNaN(end.getTime()) && end > start) {
      const endText = sameDay(start, end)
        ? end.toLocaleTimeString(undefined, { timeStyle: "short", timeZoneName: "short" })
        : end.toLocaleString(undefined, opts);
      text += ` – ${endText}`;
    }
    const note = document.createElement("span");
    note.className = "local-time";
    note.textContent = ` (your time: ${text})`;
    el.after(note);
  });
})();
