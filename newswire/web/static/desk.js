// The editor desk's one enhancement: the schedule form's time zone starts as the browser's own
// zone when the list offers it and no time is filled in yet (a time shown is in UTC, the form's
// default; the form works without this).
(function () {
  "use strict";
  var select = document.getElementById("f-time_zone"), when = document.getElementById("f-embargo_until");
  if (!select || !when || when.value || select.getAttribute("aria-invalid") === "true") { return; }
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  var known = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
  if (known && select.value === "UTC") { select.value = zone; }
})();
