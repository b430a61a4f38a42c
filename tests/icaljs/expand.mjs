// Expand .ics files' events with Mozilla ical.js (Thunderbird's parser) inside a window, the
// way a calendar shows them: each series through its recurrence iterator (RRULE, RDATE, EXDATE)
// with its RECURRENCE-ID exceptions related to it.
//
// Usage: node expand.mjs FILE.ics [MORE.ics ...] FROM TO   (FROM/TO: UTC "YYYY-MM-DDTHH:MM:SSZ")
// Prints, for one file, a JSON list of {uid, start, end, summary, status} for every instance that
// overlaps [FROM, TO): timed start/end as UTC "YYYY-MM-DDTHH:MM:SSZ", all-day ones as
// "YYYY-MM-DD"; for several files, expanded one after another in this one process, a list of
// such lists in the same order. A zone is registered by the first file that defines it, as
// read_instants.mjs does.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const args = process.argv.slice(2);
if (args.length < 3) {
  process.stderr.write("usage: node expand.mjs FILE.ics [MORE.ics ...] FROM TO\n");
  process.exit(1);
}
const paths = args.slice(0, -2);
const from = new Date(args.at(-2));
const to = new Date(args.at(-1));

function text(time) {
  if (time.isDate) return time.toString();
  return time.toJSDate().toISOString().replace(/\.\d{3}Z$/, "Z");
}

function instant(time) {
  // An all-day date counts from its UTC midnight here; only the window test uses it.
  return time.isDate ? new Date(`${time.toString()}T00:00:00Z`) : time.toJSDate();
}

function expand(path) {
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
  for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
    const tzid = vtimezone.getFirstPropertyValue("tzid");
    if (!ICAL.TimezoneService.has(tzid)) ICAL.TimezoneService.register(vtimezone);
  }
  const masters = new Map();
  const exceptions = [];
  for (const component of calendar.getAllSubcomponents("vevent")) {
    // Without options, ical.js relates every RECURRENCE-ID of the file to each event, whatever
    // its UID; a calendar app relates them by UID, as below.
    const event = new ICAL.Event(component, { strictExceptions: true, exceptions: [] });
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
  return out;
}

const result = paths.length === 1 ? expand(paths[0]) : paths.map(expand);
process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
