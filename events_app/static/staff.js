// Staff area progressive enhancements; every form works without this file.
(function () {
  "use strict";

  // Whether a form's fields differ from what the page came with (typing not yet saved).
  const typedInto = (form) => [...form.elements].some((el) => {
    if (el.type === "hidden" || el.type === "submit" || el.type === "button") return false;
    if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
    if (el.tagName === "SELECT") {
      // A list with no option marked selected starts at its first (a new event's Venue).
      const start = [...el.options].map((o) => o.defaultSelected);
      if (!el.multiple && start.length && !start.includes(true)) start[0] = true;
      return [...el.options].some((o, i) => o.selected !== start[i]);
    }
    return el.value !== el.defaultValue;
  });
  const eventForm = document.querySelector("form.event-form");
  // A form that came back refused or stopped (a colleague's save), or kept behind a sign-in,
  // holds typing not yet saved whether or not more was typed since.
  const cameBack = Boolean(document.querySelector("main #form-errors, main #conflict, main form.kept-form"));
  const unsaved = (form) => cameBack || typedInto(form);

  // Ask before quick actions that take an event off the site or change it for subscribers;
  // on an event's page, say that what was typed into its form and not saved would be lost.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (e) => {
      let question = form.dataset.confirm;
      if (eventForm && form !== eventForm && unsaved(eventForm)) {
        question += "\n\nWhat you typed in the form below is not saved yet and would be lost: save it first.";
      }
      if (!window.confirm(question)) e.preventDefault();
    });
  });

  // Back, forward or reload to a form: the browser fetches the page again (staff pages are
  // no-store) and puts back what was typed into it, but not the hidden fields saying which
  // version the typing started from (a colleague's save in between would be overwritten
  // unseen), nor a new event form's key (saved again, it would make a second event). Those
  // fields are kept in the history entry, and put back when typing was.
  const base = document.querySelector("form input[type=hidden][name=original], form input[type=hidden][name=form_key]");
  if (base) {
    const edited = base.form;
    const hidden = [...edited.querySelectorAll(["version", "original", "form_key"].map((n) => `input[type=hidden][name=${n}]`).join(", "))];
    const typed = () => typedInto(edited);
    const remember = () => {
      const startedFrom = Object.fromEntries(hidden.map((el) => [el.name, el.value]));
      history.replaceState({ ...history.state, startedFrom }, "");
    };
    const state = history.state || {};
    if (!state.startedFrom) {
      remember();
    } else {
      // Typing is put back once the page has loaded, after this script has run.
      window.addEventListener("pageshow", () => {
        if (!typed()) return remember();
        hidden.forEach((el) => { if (el.name in state.startedFrom) el.value = state.startedFrom[el.name]; });
      }, { once: true });
    }
  }

  // Leaving a form with typing not yet saved (a link, the menu, Sign out, reload, closing the
  // tab) asks first: a reload or a closed tab puts nothing back. Saving it, or an action whose
  // own question already said what would be lost, leaves without asking.
  const guarded = document.querySelector("main form.event-form, main form.staff-form, main form.kept-form");
  if (guarded) {
    let leaving = false;
    document.addEventListener("submit", (e) => {
      if (!e.defaultPrevented && (e.target === guarded || e.target.matches("form[data-confirm]"))) {
        leaving = true;
      }
    });
    window.addEventListener("beforeunload", (e) => {
      if (leaving || !unsaved(guarded)) return;
      e.preventDefault();
      e.returnValue = ""; // older browsers ask only when this is set
    });
  }

  // A box that is full says so: a browser cuts what is typed or pasted beyond its maxlength
  // without a word.
  document.querySelectorAll("main form input[maxlength], main form textarea[maxlength]").forEach((box) => {
    if (box.type === "hidden" || !box.id || box.closest(".row")) return; // rows: a grid of four lines
    const note = document.createElement("p");
    note.className = "box-full";
    note.id = `${box.id}-full`;
    note.setAttribute("aria-live", "polite"); // kept on the page: a region that appears with its words is not read
    box.insertAdjacentElement("afterend", note);
    let cut = false; // what was typed or pasted would have gone past the limit
    box.addEventListener("beforeinput", (e) => {
      const incoming = e.data ?? e.dataTransfer?.getData("text/plain") ?? "";
      const selected = (box.selectionEnd ?? 0) - (box.selectionStart ?? 0);
      cut = box.value.length - selected + incoming.length > box.maxLength;
    });
    box.addEventListener("input", () => {
      const full = cut && box.value.length >= box.maxLength;
      note.textContent = full ? `This box holds ${box.maxLength} characters: what went beyond was left out.` : "";
      cut = false;
    });
  });

  const form = eventForm;
  if (!form) return;
  const byName = (name) => form.elements.namedItem(name);
  // Hides a part of the form that does not apply, unless it shows a message (a refused value
  // stays in sight whatever is chosen).
  const showWhen = (el, applies) => {
    el.hidden = !applies && !el.matches(".has-error") && !el.querySelector(".has-error");
  };

  // A preview's HTML from the server. Signed out meanwhile (in another tab), the answer is the
  // sign-in page or a refused token: that is said instead of shown. Saving still keeps the form.
  async function previewFrom(url, body) {
    const response = await fetch(url, { method: "POST", body, credentials: "same-origin" });
    if (response.redirected || response.status === 400 || response.status === 403) {
      throw new Error("you are signed out; saving takes you to the sign-in and keeps this form");
    }
    if (!response.ok) throw new Error(String(response.status));
    return response.text();
  }

  // Description preview without leaving the page (the server sanitizes the HTML).
  const previewButton = form.querySelector("[data-markdown-preview]");
  const previewBox = document.getElementById("description-preview");
  const previewSaid = document.getElementById("description-preview-status");
  if (previewButton && previewBox) {
    previewButton.addEventListener("click", async (e) => {
      e.preventDefault();
      const body = new FormData();
      body.append("text", byName("description").value);
      const token = byName("csrf_token");
      if (token) body.append("csrf_token", token.value);
      let said = "The preview is shown below.";
      try {
        previewBox.innerHTML = await previewFrom(form.dataset.previewUrl, body);
      } catch (err) {
        said = "The preview could not be loaded (" + err.message + ").";
        previewBox.textContent = said;
      }
      previewBox.hidden = false;
      // Said once, briefly; the description itself is read where it is shown.
      if (previewSaid) previewSaid.textContent = previewSaid.textContent === said ? `${said}\u00a0` : said;
    });
  }

  // The zone follows the chosen venue's zone, unless the editor typed another one; a note
  // beside the zone says when it differs from the venue's.
  const zones = JSON.parse(form.dataset.venueZones || "{}");
  const venue = byName("venue");
  const zone = byName("timezone");
  const newVenue = document.getElementById("new-venue");
  const zoneNote = document.getElementById("zone-venue-note");
  const newVenueZone = byName("new_venue-timezone");
  // The chosen venue's zone: a listed venue's, or the one typed for a new venue.
  const venueZone = () =>
    venue.value === "new" ? (newVenueZone?.value || "").trim() : zones[venue.value] || "";
  // A zone the page came with that is its venue's (an event saved or a form sent back) is the
  // venue's, not typed: another venue replaces it.
  let autoZone = venue && zone && zone.value === venueZone() ? zone.value : "";
  function noteZone() {
    if (!zoneNote) return;
    const picked = venueZone();
    const differs = Boolean(picked && zone.value.trim() && zone.value.trim() !== picked);
    const name = venue.value === "new"
      ? (byName("new_venue-name")?.value || "").trim() || "The new venue"
      : (venue.selectedOptions[0]?.textContent || "").trim();
    zoneNote.replaceChildren();
    if (!differs) return;
    // The venue's name in its own direction (a Hebrew one keeps its place in the sentence).
    const said = document.createElement("bdi");
    said.textContent = name;
    zoneNote.append(said, ` is in ${picked}; the times are read in ${zone.value.trim()}.`);
  }
  // The chosen venue's whole name and address, below the list that cuts a long one.
  const places = JSON.parse(form.dataset.venuePlaces || "{}");
  const place = document.getElementById("venue-place");
  function showPlace() {
    if (!place) return;
    const [name, address] = places[venue.value] || ["", ""];
    place.querySelector(".venue-place-name").textContent = name;
    place.querySelector(".venue-place-address").textContent = address;
    place.hidden = !name;
  }
  function venueChanged() {
    showPlace();
    const picked = venueZone();
    if (picked && (!zone.value || zone.value === autoZone)) {
      zone.value = picked;
      autoZone = picked;
    }
    if (newVenue) showWhen(newVenue, venue.value === "new");
    noteZone();
  }
  if (venue && zone) {
    venue.addEventListener("change", venueChanged);
    newVenueZone?.addEventListener("input", venueChanged);
    zone.addEventListener("input", () => {
      if (zone.value.trim() === venueZone()) autoZone = zone.value; // the venue's, typed
      noteZone();
    });
    venueChanged();
  }

  // Repeats: show the fields the chosen frequency uses.
  const freq = byName("repeat-freq");
  const intervalLabel = form.querySelector('label[for="repeat-interval"]');
  const UNITS = { daily: "days", weekly: "weeks", monthly: "months", yearly: "years" };
  function freqChanged() {
    form.querySelectorAll("[data-repeat]").forEach((el) => {
      showWhen(el, el.dataset.repeat.split(" ").includes(freq.value));
    });
    // "Every 2" of what: the label names the unit the chosen frequency counts in.
    if (intervalLabel && UNITS[freq.value]) intervalLabel.textContent = `Every (${UNITS[freq.value]})`;
  }
  if (freq) {
    freq.addEventListener("change", freqChanged);
    freqChanged();
  }
  // ... and within them, the weekday only for "the same weekday", the last date only for "on a
  // date", the number only for "after a number".
  const follows = [
    ["repeat-week_of_month", "repeat-monthly_by", "weekday"],
    ["repeat-until", "repeat-ends", "on"],
    ["repeat-count", "repeat-ends", "after"],
  ];
  function choicesChanged() {
    for (const [name, by, value] of follows) {
      const box = form.querySelector(`[name="${name}"]`)?.closest(".field");
      const chosen = form.querySelector(`[name="${by}"]:checked`);
      if (box) showWhen(box, (chosen ? chosen.value : "") === value);
    }
  }
  form.addEventListener("change", (e) => {
    if (follows.some(([, by]) => by === e.target.name)) choicesChanged();
  });
  choicesChanged();

  // Repeats: the summary and next dates follow what is typed (the server reads the rule).
  const rulePreview = document.getElementById("rule-preview");
  // What is read aloud of it: the summary and what saving would delete, when they change (the
  // next dates are there to look at, not to be read at every pause in typing).
  const ruleSaid = document.getElementById("rule-preview-status");
  const sayRule = () => {
    if (!ruleSaid) return;
    const said = [...rulePreview.querySelectorAll(".rule-preview > p:first-child, .rule-dropped > p:first-child, .rule-preview > p.hint")]
      .map((p) => p.textContent.trim()).join(" ");
    if (said !== ruleSaid.textContent) ruleSaid.textContent = said;
  };
  const ruleFields = /^(repeat-|start_|end_|all_day|timezone)/;
  let ruleTimer = null;
  async function refreshRule() {
    const body = new FormData(form);
    try {
      rulePreview.innerHTML = await previewFrom(form.dataset.rulePreviewUrl, body);
    } catch (err) {
      rulePreview.textContent = "The dates could not be previewed (" + err.message + ").";
      if (ruleSaid) ruleSaid.textContent = rulePreview.textContent;
      return;
    }
    sayRule();
  }
  function ruleChanged(e) {
    if (!e.target.name || !ruleFields.test(e.target.name) || freq.value === "never") return;
    window.clearTimeout(ruleTimer);
    ruleTimer = window.setTimeout(refreshRule, 400);
  }
  if (rulePreview && freq && form.dataset.rulePreviewUrl) {
    form.addEventListener("change", ruleChanged);
    form.addEventListener("input", ruleChanged);
    freq.addEventListener("change", () => { if (freq.value === "never") rulePreview.textContent = ""; });
  }

  // All day: the times do not apply.
  const allDay = byName("all_day");
  function allDayChanged() {
    form.querySelectorAll(".time-field").forEach((el) => { el.hidden = allDay.checked; });
  }
  if (allDay) {
    allDay.addEventListener("change", allDayChanged);
    allDayChanged();
  }
})();
