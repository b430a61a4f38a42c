// <events-widget>: our events on another site. One line on the host page:
//   <script src="https://OUR-SITE/embed.js" async></script>
//   <events-widget widget="sidebar|list|month" kind="webinar" count="5"></events-widget>
// Attributes: widget, kind, category, place, venue, q, count (the event list's filters), theme
// (light, dark, auto; none: the host's font and text colour), accent (six hex digits),
// heading-level (2-6), month (YYYY-MM: the month widget's first month). It renders into a
// shadow DOM (no CSS in or out), with textContent only: a title with markup stays text. Data
// and styles come from our origin only (CORS, no credentials). It also fits our widget
// <iframe>s to their content.
(() => {
  if (window.customElements === undefined || customElements.get("events-widget")) return;
  const script = document.currentScript || document.querySelector('script[src$="/embed.js"]');
  const SCRIPT_URL = new URL(script ? script.src : "/", window.location.href);
  const BASE = new URL(".", SCRIPT_URL).href; // our site's root, with its path on a shared host
  const FILTERS = ["kind", "category", "place", "venue", "q", "count"];
  const WIDGETS = ["sidebar", "list", "month"];
  const THEMES = ["light", "dark", "auto"];
  const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/; // YYYY-MM

  const WAIT = 15000; // ms before a load that has no answer counts as failed
  const STYLE_WAIT = 3000; // ms a first drawing waits for the styles; they are added when they come
  let stylesheet;
  const loadStyles = () => {
    if (stylesheet) return stylesheet;
    const signal = AbortSignal.timeout?.(WAIT);
    stylesheet = fetch(`${BASE}embed/widget.css`, { credentials: "omit", signal })
      .then((r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        return r.text();
      })
      .then((text) => {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(text);
        return sheet;
      })
      .catch(() => {
        stylesheet = undefined; // the next widget (or load) asks again
        return null;
      });
    return stylesheet;
  };
  const aWhile = (ms) => new Promise((resolve) => { setTimeout(() => resolve(null), ms); });
  const PRESENTATION = ["theme", "accent", "heading-level"]; // drawn again, not asked again

  // The themes' backgrounds a link colour is checked on (contrast.js, served in front of this
  // file), as the staff Embed page checks it (embed/widgets.py: BACKGROUNDS, accent_warning).
  const BACKGROUNDS = { light: "ffffff", dark: "15191d", auto: "ffffff" };

  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else node.setAttribute(name, value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  };
  // Only http(s) links, whatever the data says.
  const href = (url) => {
    try {
      const parsed = new URL(url);
      return ["http:", "https:"].includes(parsed.protocol) ? parsed.href : null;
    } catch {
      return null;
    }
  };
  const link = (url, text, attrs = {}) => {
    const target = href(url);
    return target ? el("a", { href: target, ...attrs, text }) : el("span", { ...attrs, text });
  };
  // Our words and people's (a search, a place, a category's name: [text, "typed"]), as the data
  // gives them in parts: each typed part in a <bdi>, so that an Arabic search keeps its place
  // in our English sentence, as on the frames. `text` if there are no parts.
  const words = (parts, text) => {
    const found = document.createDocumentFragment();
    for (const [part, kind] of parts || [[text || "", "ours"]]) {
      found.append(kind === "typed" ? el("bdi", { text: part }) : document.createTextNode(part));
    }
    return found;
  };

  // The visitor's own time, unless their zone has the event zone's offset anyway
  // (visitor-time.js, served in front of this file).
  const localTime = (item) => {
    const text = item.all_day ? null : visitorTime(item.start, item.end, item.offset, item.end_offset);
    return text === null ? null : el("span", { class: "ew-local", text: ` (your time: ${text})` });
  };

  const eventItem = (item) => {
    const when = el("time", { datetime: item.start, text: item.when });
    // A series' dates share its title: the date, read aloud only, tells their links apart.
    const which = () =>
      item.series_date ? el("span", { class: "ew-hidden", text: `, ${item.series_date}` }) : null;
    const title = link(item.url, item.title, { class: "ew-title", dir: "auto" }); // its own direction (an Arabic title)
    const date = which();
    if (date) title.append(date);
    return el(
      "li",
      { class: "ew-item" + (item.status_label ? ` is-${item.status}` : "") },
      title,
      item.status_label ? el("span", { class: "ew-badge", text: item.status_label }) : null,
      el("span", { class: "ew-when" }, when, localTime(item),
        el("span", { "aria-hidden": "true", text: " · " }), document.createTextNode(item.place)),
      item.recording_url
        ? el("a", { class: "ew-recording", href: href(item.recording_url) },
          document.createTextNode(item.recording_label ?? "Recording"),
          el("span", { class: "ew-hidden", text: `: ${item.title}` }), which())
        : null,
    );
  };

  const eventList = (items) => el("ul", { class: "ew-list" }, ...items.map(eventItem));

  let counter = 0;

  class EventsWidget extends HTMLElement {
    static get observedAttributes() {
      return ["widget", "theme", "accent", "heading-level", "month", ...FILTERS];
    }

    constructor() {
      super();
      this.uid = `ew${++counter}`;
      this.month = null;
      this.root = this.attachShadow({ mode: "open" });
    }

    connectedCallback() {
      this.schedule();
    }

    attributeChangedCallback(name, old, value) {
      if (old === value) return;
      if (PRESENTATION.includes(name) && this.model) {
        if (this.isConnected) {
          this.warnUnusable();
          this.render(this.model); // the same events, drawn anew
        }
        return;
      }
      this.month = null; // other events: the month widget starts again at its first month
      if (this.isConnected) this.schedule();
    }

    schedule() {
      if (this.pending) return;
      this.pending = true;
      queueMicrotask(() => {
        this.pending = false;
        this.load();
      });
    }

    get widget() {
      const value = this.getAttribute("widget");
      return WIDGETS.includes(value) ? value : "list";
    }

    // Say in the host's console what an attribute's value cannot mean, once per load; the
    // widget still shows what it can (the default in its place).
    warnUnusable() {
      const problems = [];
      const widget = this.getAttribute("widget");
      if (widget !== null && !WIDGETS.includes(widget)) {
        problems.push(`widget="${widget}": use ${WIDGETS.join(", ")} (showing the list)`);
      }
      const theme = this.getAttribute("theme");
      if (theme && !THEMES.includes(theme)) problems.push(`theme="${theme}": use ${THEMES.join(", ")}`);
      const accent = this.getAttribute("accent");
      if (accent && !/^#?[0-9a-f]{6}$/i.test(accent)) {
        problems.push(`accent="${accent}": use six hex digits, like 0b5cad`);
      } else if (accent && THEMES.includes(theme)) {
        const ratio = contrastRatio(accent.replace(/^#/, ""), BACKGROUNDS[theme]);
        if (ratio < 4.5) {
          problems.push(`accent="${accent}": links are hard to read on the ${theme} theme's ` +
            `background (${(Math.floor(ratio * 10) / 10).toFixed(1)}:1; they need 4.5:1)`);
        }
      }
      const level = this.getAttribute("heading-level");
      if (level && !/^[2-6]$/.test(level)) problems.push(`heading-level="${level}": use 2 to 6`);
      const month = this.getAttribute("month");
      if (month && this.widget !== "month") {
        problems.push(`month="${month}": only the month widget shows a month`);
      } else if (month && !MONTH.test(month)) {
        problems.push(`month="${month}": use YYYY-MM, like 2026-09`);
      }
      for (const problem of problems) console.warn(`<events-widget> ${problem}`);
    }

    dataUrl() {
      const query = new URLSearchParams();
      for (const name of FILTERS) {
        const value = this.getAttribute(name);
        if (value) query.set(name, value);
      }
      const month = this.month || this.getAttribute("month");
      if (this.widget === "month" && MONTH.test(month || "")) {
        query.set("month", month);
      }
      const text = query.toString();
      return `${BASE}embed/${this.widget}.json${text ? `?${text}` : ""}`;
    }

    frame(...children) {
      const theme = this.getAttribute("theme");
      // Our words are English, left to right, whatever the host page is written in.
      const box = el("div", { class: "ew" + (THEMES.includes(theme) ? ` theme-${theme}` : ""), lang: "en", dir: "ltr" });
      const accent = (this.getAttribute("accent") || "").replace(/^#/, "");
      if (/^[0-9a-f]{6}$/i.test(accent)) box.style.setProperty("--ew-accent", `#${accent}`);
      box.append(...children.filter(Boolean));
      return box;
    }

    heading(content, id) {
      const level = Math.min(6, Math.max(2, Number(this.getAttribute("heading-level")) || 2));
      return el(`h${level}`, { class: "ew-heading", id }, content);
    }

    // Asks for the events and draws them. `focus`: the month button pressed ("prev", "next"),
    // which keeps the focus; if that month cannot be loaded, the one shown stays, saying so.
    async load(focus) {
      const mine = (this.loads = (this.loads || 0) + 1); // a later load makes this one stale
      if (!focus) this.warnUnusable();
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), WAIT);
      const answer = fetch(this.dataUrl(), { credentials: "omit", mode: "cors", signal: abort.signal });
      answer.catch(() => {}); // read below; a failure is handled there
      if (!this.root.firstChild) {
        this.root.append(this.frame(el("p", { class: "ew-status", role: "status", text: "Loading events…" })));
      }
      const styles = loadStyles().then((sheet) => this.adopt(sheet));
      await Promise.race([styles, aWhile(STYLE_WAIT)]); // drawn without them past that
      if (mine !== this.loads) return;
      let model;
      try {
        const response = await answer;
        if (!response.ok) {
          // A problem body (RFC 9457) says which attribute we could not use, and why.
          const problem = await response.json().catch(() => ({}));
          if (mine === this.loads) {
            console.error(`<events-widget> ${problem.parameter ? `${problem.parameter}: ` : ""}` +
              `${problem.detail || `HTTP ${response.status}`}`);
          }
          throw new Error(`HTTP ${response.status}`);
        }
        model = await response.json();
      } catch (error) {
        if (mine !== this.loads) return;
        if (focus && this.model?.month) {
          this.month = this.shownMonth; // still the month on screen
          this.root.querySelector(".ew-failed")?.remove();
          this.root.querySelector(".ew-month-nav")?.after(el("p", { class: "ew-status ew-failed", role: "alert",
            text: `That month could not be loaded; still showing ${this.model.month.label}.` }));
          return;
        }
        this.model = null; // its events are not what the attributes now ask for
        this.root.replaceChildren(this.frame(el("p", { class: "ew-status", role: "status" },
          document.createTextNode("Events could not be loaded. "),
          link(BASE, "See them on our site"))));
        return;
      } finally {
        clearTimeout(timer);
      }
      if (mine !== this.loads) return;
      if (!focus) for (const note of model.notes || []) console.warn(`<events-widget> ${note}`);
      this.model = model;
      this.shownMonth = this.month;
      this.render(model, focus);
    }

    adopt(sheet) {
      if (sheet && !this.root.adoptedStyleSheets.includes(sheet)) {
        this.root.adoptedStyleSheets = [...this.root.adoptedStyleSheets, sheet];
      }
    }

    render(model, focus) {
      const parts = model.sections.map((s) => {
        const id = `${this.uid}-${s.id}`;
        const more = link(s.more.url, "");
        more.append(words(s.more.label_parts, s.more.label));
        // A filtered sidebar's filters, after the link's words, read aloud only.
        if (s.more.hidden) more.append(el("span", { class: "ew-hidden" }, words(s.more.hidden_parts, s.more.hidden)));
        return el("section", { class: "ew-section", "aria-labelledby": id },
          this.heading(words(s.heading_parts, s.heading), id),
          s.events.length ? eventList(s.events) : el("p", { class: "ew-empty", text: s.empty }),
          el("p", { class: "ew-more" }, more));
      });
      // What a filtered sidebar shows, said once above its boxes.
      if (model.caption) parts.unshift(el("p", { class: "ew-caption" }, words(model.caption_parts, model.caption)));
      if (model.month) parts.push(this.monthSection(model.month));
      parts.push(el("p", { class: "ew-by" }, link(model.site.url, model.site.name)));
      this.root.replaceChildren(this.frame(...parts));
      if (focus) this.root.querySelector(`[data-nav="${focus}"]`)?.focus();
    }

    monthSection(m) {
      const id = `${this.uid}-month`;
      const nav = el("div", { class: "ew-month-nav" });
      for (const [key, label] of [["prev", "Previous month"], ["next", "Next month"]]) {
        if (!m[key]) continue;
        const button = el("button", { type: "button", "data-nav": key, text: label });
        button.addEventListener("click", () => {
          this.month = m[key];
          this.load(key);
        });
        nav.append(button);
      }
      const head = el("tr", {}, ...m.weekdays.map((w) => el("th", { scope: "col", abbr: w, text: w.slice(0, 2) })));
      const body = el("tbody", {}, ...m.weeks.map((week) => el("tr", {}, ...week.map((d) => {
        const classes = [d.in_month ? "" : "ew-out", d.today ? "ew-today" : "", d.count ? "ew-busy" : ""];
        const cell = el("td", { class: classes.filter(Boolean).join(" ") || null });
        if (d.url) {
          const a = link(d.url, String(d.day));
          a.append(el("span", { class: "ew-hidden", text: ` (${d.count} event${d.count === 1 ? "" : "s"})` }));
          cell.append(a);
        } else {
          cell.textContent = String(d.day);
        }
        return cell;
      }))));
      return el("section", { class: "ew-section ew-month", "aria-labelledby": id },
        (() => {
          const h = this.heading(null, id);
          const a = link(m.url, "");
          a.append(words(m.heading_parts, m.heading || m.label)); // "June 2026 · Webinars in Denver"
          h.append(a);
          return h;
        })(),
        el("p", { class: "ew-hidden", role: "status", text: `Showing ${m.label}` }),
        nav,
        el("table", { class: "ew-grid" }, el("caption", { class: "ew-hidden", text: `${m.label}: days with events` }),
          el("thead", {}, head), body),
        m.events.length ? eventList(m.events) : el("p", { class: "ew-empty", text: m.empty || "Nothing this month." }),
        m.more ? el("p", { class: "ew-more" }, link(m.url, `${m.more} more this month`)) : null);
    }
  }

  customElements.define("events-widget", EventsWidget);

  // Fit our widget frames to their content (frame.js in each frame posts its height).
  // A frame is ours by its address (our origin, under embed/); a sandboxed one's messages
  // come from origin "null", so the frame is found by the window that sent the message.
  const OURS = new URL("embed/", BASE).href;
  window.addEventListener("message", (event) => {
    if (!event.data || event.data.type !== "events-widget:height") return;
    const height = Number(event.data.height);
    if (!Number.isFinite(height) || height <= 0 || height > 20000) return;
    for (const frame of document.querySelectorAll("iframe")) {
      if (frame.contentWindow !== event.source) continue;
      let address = "";
      try { address = new URL(frame.src, location.href).href; } catch { address = ""; }
      if (address.startsWith(OURS)) frame.style.height = `${Math.ceil(height)}px`;
    }
  });
})();
