// Progressive enhancement: show <time data-local> in the visitor's own zone.
document.querySelectorAll("time[data-local]").forEach((el) => {
  const when = new Date(el.getAttribute("datetime"));
  if (Number.isNaN(when.getTime())) return;
  const text = when.toLocaleString(undefined, {
    dateStyle: "medium", timeStyle: "short", timeZoneName: "short",
  });
  const note = document.createElement("span");
  note.className = "local-time";
  note.textContent = ` (${text} your time)`;
  el.after(note);
});
