// Staff → Embed: rebuild the snippet and the preview as the form changes (the form alone, a
// GET, does the same without JavaScript). The iframe snippet gets the preview's real height.
(() => {
  const form = document.getElementById("embed-form");
  const preview = document.getElementById("embed-preview");
  const output = document.getElementById("embed-snippet");
  if (!form || !preview || !output) return;
  const origin = preview.dataset.origin;
  const siteName = preview.dataset.siteName;
  const defaults = { sidebar: "5", list: "5", month: "10" };
  const order = ["widget", "kind", "category", "place", "venue", "q", "count", "theme", "accent"];
  let height = Number(preview.dataset.height) || 400;
  const escapeAttr = (s) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  document.getElementById("embed-update").hidden = true;

  // What the server would refuse is left out of the snippet and said beside its field.
  const maxCount = form.elements.count?.max || "";
  const problems = {
    accent: (v) => (/^[0-9a-f]{6}$/i.test(v) ? "" : "Enter six hex digits, such as 0b5cad; "
      + "until then the snippet uses the default colour."),
    count: (v) => (/^[0-9]{1,3}$/.test(v) && Number(v) >= 1 && Number(v) <= Number(maxCount)
      ? "" : `Enter a whole number from 1 to ${maxCount}; until then the snippet uses the default.`),
  };
  const say = (name, message) => {
    const input = form.elements[name];
    if (!input) return;
    const id = `e-${name}-error`;
    let note = document.getElementById(id);
    if (message && !note) {
      note = document.createElement("p");
      note.className = "error";
      note.id = id;
      input.after(note);
    }
    if (note) note.textContent = message;
    if (note && !message) note.remove();
    const described = (input.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== id);
    if (message) described.push(id);
    if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    else input.removeAttribute("aria-describedby");
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  };

  const settings = () => {
    const data = new FormData(form);
    const mode = data.get("mode") || "script";
    const args = {};
    for (const name of order) {
      let value = String(data.get(name) || "").trim();
      if (name === "accent") value = value.replace(/^#/, "");
      if (problems[name]) {
        const unreadable = form.elements[name]?.validity?.badInput; // a number box holding text
        const message = value || unreadable ? problems[name](value) : "";
        say(name, message);
        if (message) value = "";
      }
      if (name === "count" && value === defaults[data.get("widget")]) value = "";
      if (name === "theme" && mode === "iframe" && !value) value = "auto";
      if (value) args[name] = value;
    }
    return { mode, args };
  };

  const frameUrl = (args) => {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(args)) {
      if (k !== "widget" && !(k === "theme" && v === "auto")) query.set(k, v);
    }
    const text = query.toString();
    return `${origin}/embed/${args.widget}${text ? `?${text}` : ""}`;
  };

  const snippet = ({ mode, args }) => {
    if (mode === "iframe") {
      return `<iframe src="${escapeAttr(frameUrl(args))}" title="${escapeAttr(siteName)}: events"`
        + ` width="320" height="${height}" style="max-width: 100%; border: 0" loading="lazy"></iframe>`;
    }
    const attrs = Object.entries(args).map(([k, v]) => `${k}="${escapeAttr(v)}"`).join(" ");
    return `<script src="${origin}/embed.js" async></script>\n<events-widget ${attrs}></events-widget>`;
  };

  // A link colour hard to read on the widget's background is said beside the box (the server
  // says the same without JavaScript: widgets.accent_warning; contrastRatio: contrast.js).
  const accentBox = form.elements.accent;
  const contrastNote = document.getElementById("e-accent-contrast");
  const backgrounds = JSON.parse(accentBox?.dataset.backgrounds || "{}");
  const minContrast = Number(accentBox?.dataset.minContrast) || 4.5;
  const warnContrast = ({ args }) => {
    if (!contrastNote) return;
    const theme = args.theme || "";
    const names = theme === "auto" ? ["light", "dark"] : backgrounds[theme] ? [theme] : [];
    const poor = args.accent
      ? names.map((n) => [n, contrastRatio(args.accent, backgrounds[n])]).filter(([, r]) => r < minContrast)
      : [];
    // Rounded down, so that a ratio just short of the need never reads as meeting it.
    const where = poor
      .map(([n, r]) => `${(Math.floor(r * 10) / 10).toFixed(1)}:1 on the ${n} background`)
      .join(" and ");
    contrastNote.textContent = poor.length
      ? `Links in this colour are hard to read: ${where}; they need ${minContrast}:1.`
      : "";
    contrastNote.hidden = !poor.length;
  };

  let shown = null;
  const update = () => {
    const chosen = settings();
    output.value = snippet(chosen);
    warnContrast(chosen);
    const key = JSON.stringify(chosen);
    if (key === shown) return;
    shown = key;
    if (chosen.mode === "iframe") {
      const frame = document.createElement("iframe");
      frame.src = frameUrl(chosen.args);
      frame.title = `Preview: ${siteName} events`;
      frame.width = "320";
      frame.height = String(height);
      preview.replaceChildren(frame);
    } else {
      const widget = document.createElement("events-widget");
      for (const [k, v] of Object.entries(chosen.args)) widget.setAttribute(k, v);
      preview.replaceChildren(widget);
    }
  };

  // The preview frame reports its height (frame.js); the snippet takes it.
  window.addEventListener("message", (event) => {
    if (event.origin !== window.location.origin || event.data?.type !== "events-widget:height") return;
    const frame = preview.querySelector("iframe");
    if (!frame || frame.contentWindow !== event.source) return;
    height = Math.ceil(Number(event.data.height)) || height;
    output.value = snippet(settings());
  });
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    update();
  });
})();
