// The public maintenance page's only script: shows every <time datetime> in the reader's own time zone and
// language. Without script the UTC text written by the server stays (and stays as the tooltip with it).
(function () {
  "use strict";
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "your time zone";
  var format = new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short"
  });
  document.querySelectorAll("time[datetime]").forEach(function (element) {
    var moment = new Date(element.getAttribute("datetime"));
    if (isNaN(moment.getTime())) { return; }
    element.title = element.textContent;
    element.textContent = format.format(moment);
  });
  var note = document.getElementById("zone");
  if (note) { note.textContent = "Times are in your time zone (" + zone + ")."; }
  document.documentElement.setAttribute("data-local-times", zone);
})();
