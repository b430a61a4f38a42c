// Read .ics files with Mozilla ical.js (the parser Thunderbird uses) and print their events as JSON.
//
// Usage: node read_instants.mjs FILE.ics [MORE.ics ...]
// Prints, for one file, a JSON list of {uid, recurrence_id, recurring, all_day, start, end, status,
// summary} (recurring: the VEVENT has an RRULE or RDATE): timed start/end as UTC
// "YYYY-MM-DDTHH:MM:SSZ", all-day ones as "YYYY-MM-DD" (end = DTEND as written, exclusive); for
// several files, read one after another in this one process, a list of such lists in the same
// order. A zone is registered by the first file that defines it (ical.js itself prefers a file's
// own VTIMEZONE). Exits 1 with a message on stderr for a floating time or a TZID without a
// VTIMEZONE in its file.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function fail(message) {
  process.stderr.write(`read_instants: ${message}\n`);
  process.exit(1);
}

function utcString(time) {
  // toJSDate() gives the instant for a zoned time; toISOString() is "...T..:..:...sssZ".
  return time.toJSDate().toISOString().replace(/\.\d{3}Z$/, "Z");
}

function instant(event, name, time, definedZones) {
  if (time === null) return null;
  if (time.isDate) return time.toString();
  const tzid = event.component.getFirstProperty(name)?.getParameter("tzid");
  if (tzid && !definedZones.has(tzid)) fail(`${event.uid}: ${name} TZID=${tzid} has no VTIMEZONE`);
  if (time.zone === ICAL.Timezone.localTimezone) fail(`${event.uid}: ${name} is a floating time`);
  return utcString(time);
}

function readEvents(path) {
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
  const definedZones = new Set();
  for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
    const tzid = vtimezone.getFirstPropertyValue("tzid");
    if (!ICAL.TimezoneService.has(tzid)) ICAL.TimezoneService.register(vtimezone);
    definedZones.add(tzid);
  }
  return calendar.getAllSubcomponents("vevent").map((component) => {
    const event = new ICAL.Event(component);
    const recurrenceId = event.recurrenceId;
    return {
      uid: event.uid,
      recurrence_id: recurrenceId ? instant(event, "recurrence-id", recurrenceId, definedZones) : null,
      recurring: event.isRecurring(),
      all_day: event.startDate.isDate,
      start: instant(event, "dtstart", event.startDate, definedZones),
      // endDate is DTEND, or DTSTART + DURATION (or the RFC 5545 default) when DTEND is absent.
      end: instant(event, "dtend", event.endDate, definedZones),
      status: component.getFirstPropertyValue("status"),
      summary: event.summary,
    };
  });
}

const paths = process.argv.slice(2);
if (paths.length === 0) fail("usage: node read_instants.mjs FILE.ics [MORE.ics ...]");
const result = paths.length === 1 ? readEvents(paths[0]) : paths.map(readEvents);
process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
