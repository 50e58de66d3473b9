// The idle warning: shown before the server ends an idle session, with a button that extends it; at the end
// the browser goes to the "u bent uitgelogd" page. Works from data attributes (no inline script, strict CSP).
(function () {
  "use strict";
  var body = document.body;
  // After htmx replaces the main content (the preview of a request), move focus to what changed: the error
  // summary when there is one, otherwise the preview's heading, so screen readers announce the result.
  document.addEventListener("htmx:afterSettle", function () {
    var target = document.querySelector(".hub-error-summary") || document.getElementById("voorbeeld-kop");
    if (target) { target.focus(); }
  });
  // A page that comes back with errors (a form sent again, a refusal) starts at its error summary, so the
  // keyboard and the screen reader begin where the problem is explained.
  var summary = document.querySelector(".hub-error-summary[tabindex]");
  if (summary) { summary.focus(); }
  var idle = parseInt(body.getAttribute("data-idle-seconds") || "0", 10);
  var warning = parseInt(body.getAttribute("data-warning-seconds") || "0", 10);
  if (!idle) { return; }
  var box = document.getElementById("sessie-waarschuwing");
  window.setTimeout(function () {
    if (box) { box.hidden = false; var button = box.querySelector("button"); if (button) { button.focus(); } }
  }, Math.max(idle - warning, 0) * 1000);
  // One second after the server's end (the seconds left are rounded down): the server has ended the session
  // by then; the page itself only shows that, it ends nothing.
  window.setTimeout(function () { window.location.assign("/uitgelogd"); }, (idle + 1) * 1000);
})();
