// Small progressive enhancements; every form also works without JavaScript.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Switching the tenant submits at once; the button stays for browsers without JS.
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      var form = select.form;
      form.querySelectorAll("[data-autosubmit-hide]").forEach(function (b) { b.hidden = true; });
      select.addEventListener("change", function () { form.submit(); });
    });
    // Ask before destructive actions.
    document.addEventListener("submit", function (event) {
      var message = event.target.getAttribute("data-confirm");
      if (message && !window.confirm(message)) { event.preventDefault(); }
    }, true);
    // A "choose all" box ticks or clears every checkbox of the same name.
    document.querySelectorAll("[data-check-all]").forEach(function (box) {
      box.addEventListener("change", function () {
        var name = box.getAttribute("data-check-all");
        box.form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (other) {
          other.checked = box.checked;
        });
      });
    });
    // Shop-only fields are shown only when a shop is being created.
    document.querySelectorAll("[data-kind-toggle]").forEach(function (form) {
      var update = function () {
        var checked = form.querySelector("input[type=radio]:checked");
        var isShop = !checked || checked.value === "shop";
        form.querySelectorAll("[data-field=state_code], [data-field=gstin]").forEach(function (el) {
          el.hidden = !isShop;
        });
      };
      form.addEventListener("change", update);
      update();
    });
  });
  // "Copy" buttons put the text of the element they name on the clipboard.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) { return; }
    var source = document.getElementById(button.getAttribute("data-copy"));
    navigator.clipboard.writeText(source.textContent).then(function () {
      var label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1500);
    });
  });
  // Countdowns to a stack's expiry ("42 min left"), refreshed every 30 seconds.
  function tickCountdowns() {
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var ms = new Date(el.getAttribute("data-countdown")).getTime() - Date.now();
      var minutes = Math.max(0, Math.round(ms / 60000));
      el.textContent = minutes >= 60 ? Math.floor(minutes / 60) + " h " + (minutes % 60) + " min" : minutes + " min";
    });
  }
  document.addEventListener("DOMContentLoaded", tickCountdowns);
  document.addEventListener("htmx:afterSwap", tickCountdowns);
  setInterval(tickCountdowns, 30000);
  // htmx swaps 422 responses (forms re-rendered with their errors), as it does 200s.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422) { event.detail.shouldSwap = true; event.detail.isError = false; }
  });
})();
