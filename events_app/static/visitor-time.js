// The visitor's own time for a timed event, written one way for our pages (site.js) and for
// the widgets (/embed.js is served with this file in front of embed.js, in one block, so
// nothing of it reaches the host page's globals).
// visitorTime(start, end, offset, endOffset): "Dec 2, 2026, 7:00 – 8:00 PM UTC" (what both
// ends share is written once, the zone too, even across midnight), or null when the visitor's
// zone has the event zone's offsets (minutes east of UTC) at both ends anyway (endOffset: the
// end's, when the event's zone changes its clocks meanwhile; else the start's).
// Written in English, as the text around it (the visitor's English if theirs is one: "BST",
// "IST"), with the visitor's own 12- or 24-hour clock.
const visitorTime = (() => {
  const LANG = /^en(-|$)/i.test(navigator.language || "") ? navigator.language : "en";
  const { hourCycle } = new Intl.DateTimeFormat(undefined, { hour: "numeric" }).resolvedOptions();
  const day = { year: "numeric", month: "short", day: "numeric" };
  const clock = { hour: "numeric", minute: "2-digit", timeZoneName: "short", ...(hourCycle && { hourCycle }) };
  const { timeZoneName: _, ...clockWithoutZone } = clock;
  const sameDay = (a, b) => a.toDateString() === b.toDateString();
  const known = (value) => value !== null && value !== undefined && value !== "";
  const mine = (value, d) => known(value) && Number(value) === -d.getTimezoneOffset();
  return (startText, endText, offset, endOffset) => {
    const start = new Date(startText);
    if (Number.isNaN(start.getTime())) return null;
    const end = new Date(endText || "");
    const hasEnd = !Number.isNaN(end.getTime()) && end > start;
    if (mine(offset, start) && (!hasEnd || mine(known(endOffset) ? endOffset : offset, end))) {
      return null;
    }
    const format = new Intl.DateTimeFormat(LANG, { ...day, ...clock });
    if (!hasEnd) return format.format(start);
    if (!format.formatRange) {  // older browsers: both ends whole
      const last = sameDay(start, end) ? end.toLocaleTimeString(LANG, clock) : format.format(end);
      return `${format.format(start)} – ${last}`;
    }
    const zone = (d) => format.formatToParts(d).find((p) => p.type === "timeZoneName")?.value;
    if (sameDay(start, end) || zone(start) !== zone(end)) return format.formatRange(start, end);
    const bare = new Intl.DateTimeFormat(LANG, { ...day, ...clockWithoutZone });
    return `${bare.formatRange(start, end)} ${zone(start)}`;
  };
})();
