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
  // A customer form shows the GSTIN for a registered business and the state for a person; the hidden one
  // is disabled, so it is not sent (without JavaScript both are shown and the server reads the GSTIN's state).
  function kindFields() {
    document.querySelectorAll("form[data-kind-fields]").forEach(function (form) {
      var checked = form.querySelector("input[type=radio][name$=kind]:checked");
      form.querySelectorAll("[data-when-kind]").forEach(function (el) {
        var shown = !checked || el.getAttribute("data-when-kind") === checked.value;
        el.hidden = !shown;
        el.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = !shown; });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", kindFields);
  document.addEventListener("htmx:afterSettle", kindFields);
  document.addEventListener("change", function (event) {
    if (event.target.closest("form[data-kind-fields]")) { kindFields(); }
  });
  // The buyer search: the down and up arrows move from the search box through the customers found.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") { return; }
    var picker = event.target.closest(".picker");
    if (!picker) { return; }
    var picks = Array.prototype.slice.call(picker.querySelectorAll("[data-pick]"));
    if (!picks.length) { return; }
    var at = picks.indexOf(event.target);
    var next = event.key === "ArrowDown" ? at + 1 : at - 1;
    if (at === -1 && event.key === "ArrowUp") { return; }
    event.preventDefault();
    if (next < 0) { picker.querySelector("input[type=search]").focus(); return; }
    picks[Math.min(next, picks.length - 1)].focus();
  });
  // Messages say what the last click did, once. One announcing work in progress ("Provisioning has
  // started.") goes when the page's live status shows nothing running any more: the status tells the
  // outcome. A page shown again (Back, or htmx restoring a snapshot) announces nothing again.
  function dropMessages(selector) {
    document.querySelectorAll(selector).forEach(function (el) { el.remove(); });
    document.querySelectorAll(".messages").forEach(function (box) { if (!box.children.length) { box.remove(); } });
  }
  function settleProgressMessages() {
    if (document.querySelector('[data-live="done"]') && !document.querySelector('[data-live="running"]')) {
      dropMessages(".message[data-in-progress]");
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var navigation = window.performance && performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
    if (navigation && navigation.type === "back_forward") { dropMessages(".message"); }
    settleProgressMessages();
  });
  document.addEventListener("htmx:afterSettle", settleProgressMessages);
  document.addEventListener("htmx:beforeHistorySave", function () { dropMessages(".message"); });
  window.addEventListener("pageshow", function (event) { if (event.persisted) { dropMessages(".message"); } });
  // A date box writes its format the browser's way (mm/dd/yyyy in an American browser, whatever the page
  // says), so the chosen day is also written out beside it: "Mon, 4 May 2026" can't be misread.
  var DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function dateInWords(value) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!parts) { return ""; }
    var day = new Date(Date.UTC(+parts[1], +parts[2] - 1, +parts[3]));
    return DAYS[day.getUTCDay()] + ", " + day.getUTCDate() + " " + MONTHS[day.getUTCMonth()] + " " + day.getUTCFullYear();
  }
  function writeDate(input) {
    var words = input.nextElementSibling;
    if (!words || !words.classList.contains("date-words")) {
      words = document.createElement("span");
      words.className = "date-words";
      input.insertAdjacentElement("afterend", words);
    }
    words.textContent = dateInWords(input.value);
  }
  function writeDates() { document.querySelectorAll("input[type=date]").forEach(writeDate); }
  document.addEventListener("DOMContentLoaded", writeDates);
  document.addEventListener("htmx:afterSettle", writeDates);
  document.addEventListener("input", function (event) { if (event.target.matches("input[type=date]")) { writeDate(event.target); } });
  document.addEventListener("change", function (event) { if (event.target.matches("input[type=date]")) { writeDate(event.target); } });
  // A form that failed shows a summary of its problems: it takes the focus, so a screen reader reads it
  // and the next Tab reaches its first link. A link puts the focus in its field, label in sight.
  function focusErrorSummary(root) {
    var summary = root.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () { focusErrorSummary(document); });
  document.addEventListener("htmx:afterSettle", function (event) { focusErrorSummary(event.detail.elt); });
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) { return; }
    event.preventDefault();
    (field.closest(".field") || field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });
  // A status line sent again with the same words (a poll while nothing moved) is left alone, so a screen
  // reader does not announce it again.
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    if (target.matches("[role=status]") && target.textContent.trim() === event.detail.fragment.textContent.trim()) {
      event.detail.shouldSwap = false;
    }
  });
  // htmx swaps 422 responses (forms re-rendered with their errors), as it does 200s; and 402, a write
  // refused until the AMC is renewed, whose answer puts the refusal in the AMC banner (HX-Retarget).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 422 || status === 402) { event.detail.shouldSwap = true; event.detail.isError = false; }
  });
})();
