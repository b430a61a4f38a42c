// Expand an .ics file's events with Mozilla ical.js (Thunderbird's parser) inside a window, the
// way a calendar shows them: each series through its recurrence iterator (RRULE, RDATE, EXDATE)
// with its RECURRENCE-ID exceptions related to it.
//
// Usage: node expand.mjs FILE.ics FROM TO   (FROM/TO: UTC "YYYY-MM-DDTHH:MM:SSZ")
// Prints a JSON list of {uid, start, end, summary, status} for every instance that overlaps
// [FROM, TO): timed start/end as UTC "YYYY-MM-DDTHH:MM:SSZ", all-day ones as "YYYY-MM-DD".
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const [path, fromText, toText] = process.argv.slice(2);
if (!path || !fromText || !toText) {
  process.stderr.write("usage: node expand.mjs FILE.ics FROM TO\n");
  process.exit(1);
}
const from = new Date(fromText);
const to = new Date(toText);

function text(time) {
  if (time.isDate) return time.toString();
  return time.toJSDate().toISOString().replace(/\.\d{3}Z$/, "Z");
}

function instant(time) {
  // An all-day date counts from its UTC midnight here; only the window test uses it.
  return time.isDate ? new Date(`${time.toString()}T00:00:00Z`) : time.toJSDate();
}

const calendar = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}
const masters = new Map();
const exceptions = [];
for (const component of calendar.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(component);
  if (event.isRecurrenceException()) exceptions.push(event);
  else masters.set(event.uid, event);
}
for (const exception of exceptions) {
  const master = masters.get(exception.uid);
  if (master) master.relateException(exception);
}

const out = [];
function add(uid, start, end, item) {
  if (instant(end) > from && instant(start) < to) {
    out.push({
      uid,
      start: text(start),
      end: text(end),
      summary: item.summary,
      status: item.component.getFirstPropertyValue("status"),
    });
  }
}
for (const [uid, event] of masters) {
  if (!event.isRecurring()) {
    add(uid, event.startDate, event.endDate, event);
    continue;
  }
  const iterator = event.iterator();
  for (let next = iterator.next(); next; next = iterator.next()) {
    const details = event.getOccurrenceDetails(next);
    if (instant(details.recurrenceId) > to && instant(details.startDate) > to) break;
    add(uid, details.startDate, details.endDate, details.item);
  }
}
process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
