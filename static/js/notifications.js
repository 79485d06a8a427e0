// The header's unread count, and keeping focus in place when the inbox changes.
//
// The count (#unread-count, a polite live region) polls /notifications/count/ with
// htmx every 10 seconds and when the tab becomes visible again. This script sends
// the version it shows as If-None-Match, so an unchanged count costs a 304 with no
// body and no swap; only a real change rewrites the region, which a screen reader
// then reads out ("3 unread"). A hidden tab does not poll.
(function () {
  "use strict";

  var count = document.getElementById("unread-count");

  function shownEtag() {
    var value = count.querySelector("[data-etag]");
    return value ? value.getAttribute("data-etag") : "";
  }

  if (count) {
    count.addEventListener("htmx:beforeRequest", function (event) {
      if (document.hidden) event.preventDefault();
    });
    count.addEventListener("htmx:configRequest", function (event) {
      var etag = shownEtag();
      if (etag) event.detail.headers["If-None-Match"] = etag;
    });
    // A 304 has no body: the count on the page is still right. (The page-wide htmx
    // config swaps every 2xx and 3xx answer.)
    count.addEventListener("htmx:beforeSwap", function (event) {
      if (event.detail.xhr.status === 304) event.detail.shouldSwap = false;
    });
    // A lost network must not add an error message every ten seconds (app.js reports
    // the failures of requests a person made); the next answer catches up.
    ["htmx:sendError", "htmx:responseError", "htmx:timeout"].forEach(function (name) {
      count.addEventListener(name, function (event) {
        event.stopPropagation();
      });
    });
  }

  // --- The inbox: focus stays where the reader was --------------------------------------

  // "Mark read" replaces the inside of its list item, button included: move focus to
  // the item's link (or the item) rather than losing it to the top of the page.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.id) return;
    if (/^notification-\d+$/.test(target.id)) {
      var link = target.querySelector(".inbox-line a");
      (link || target).focus();
    } else if (target.id === "inbox") {
      // "Mark all as read" replaced the whole list: its heading says what is left.
      var heading = document.getElementById("inbox-title");
      if (heading) heading.focus();
    }
  });
})();
