// Progressive enhancement for the subscribe box: a Copy button for the feed address.
(() => {
  document.querySelectorAll("button[data-copy-target]").forEach((button) => {
    const input = document.getElementById(button.dataset.copyTarget);
    const status = button.parentElement.querySelector(".copy-status");
    if (!input) return;
    button.hidden = false;
    button.addEventListener("click", async () => {
      input.select();
      let copied = false;
      try {
        await navigator.clipboard.writeText(input.value);
        copied = true;
      } catch {
        copied = document.execCommand && document.execCommand("copy");
      }
      if (status) status.textContent = copied ? "Copied" : "Select the address and copy it";
    });
  });
  document.querySelectorAll("input.feed-url").forEach((input) => {
    input.addEventListener("focus", () => input.select());
  });
})();
