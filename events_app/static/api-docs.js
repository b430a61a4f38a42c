// Starts the vendored Swagger UI on the API's own OpenAPI document (no inline script: our CSP),
// then mends what it renders where axe finds it inaccessible (fixUp, on every render).
(() => {
  const root = document.getElementById("swagger-ui");

  // Swagger UI (React) adds parts of the page as they are opened, so each new part is patched as
  // it appears. React only writes the attributes it renders, and only when they change.
  const fixUp = () => {
    // Its <main id="operations"> (the target of its skip link) sits in our <main>: a region.
    for (const main of root.querySelectorAll("main:not([role])")) {
      main.setAttribute("role", "region");
      main.setAttribute("aria-label", "Operations and schemas");
    }
    // An operation's header is a <button> holding its deep link (<a href="#/tag/operationId">):
    // a link inside a button. The link's click only prevents its default and the address
    // still follows what is open (deepLinking), so the href goes and the link with it.
    for (const link of root.querySelectorAll(".opblock-summary-control a[href]")) {
      link.removeAttribute("href");
    }
    // Its headings go from the title's <h1> straight to <h3> (tags), <h4>, <h5>: one level up.
    for (const heading of root.querySelectorAll("h3, h4, h5, h6")) {
      if (!heading.hasAttribute("aria-level")) {
        heading.setAttribute("aria-level", String(Number(heading.tagName[1]) - 1));
      }
    }
    // Selects without a label: the servers list (its "Servers" title is not a <label>), and
    // the select of each enum parameter in "Try it out" (its row names the parameter).
    const servers = root.querySelector("select#servers:not([aria-label])");
    if (servers) servers.setAttribute("aria-label", "Servers");
    for (const select of root.querySelectorAll("tr[data-param-name] select:not([aria-label])")) {
      select.setAttribute("aria-label", select.closest("tr").dataset.paramName);
    }
    // Each operation's responses table is a region without a name (role="region", with its
    // aria-live): two open operations made two alike landmarks. Named after its operation.
    for (const table of root.querySelectorAll(".responses-table[role=region]:not([aria-label])")) {
      const operation = table.closest(".opblock");
      const method = operation?.querySelector(".opblock-summary-method");
      const path = operation?.querySelector(".opblock-summary-path");
      if (method && path) {
        table.setAttribute("aria-label", `Responses of ${method.textContent} ${path.dataset.path}`);
      }
    }
    // Examples and responses scroll within 400px (.highlight-code > .microlight): focusable, so
    // that the keyboard can scroll them too.
    for (const code of root.querySelectorAll(".highlight-code > pre:not([tabindex])")) {
      code.setAttribute("tabindex", "0");
    }
  };
  new MutationObserver(fixUp).observe(root, { childList: true, subtree: true });

  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    tryItOutEnabled: true,
    // The default theme ("agate") shows numbers at 3.45:1; this one keeps JSON above 4.5:1.
    syntaxHighlight: { activated: true, theme: "tomorrow-night" },
  });
})();
