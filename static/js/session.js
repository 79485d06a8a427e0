// A review session's live parts: the countdown and the status that follows the server.
//
// The status region polls /s/<id>/live every second with htmx. This script sends
// the last ETag back as If-None-Match, so an unchanged session costs a 304 with no
// body and no swap. When the phase changes the server answers HX-Refresh and the
// page reloads into the new phase. A page that lost the network keeps polling and
// catches up on the first answer.
(function () {
  "use strict";

  var live = document.querySelector("[data-live]");

  // Margin cards and the comment box are placed with element.style (CSSOM, which the
  // Content-Security-Policy allows). htmx would copy that style attribute onto the
  // elements it swaps in with setAttribute, which the policy blocks: do not settle it.
  // (htmx loads after this script; both are deferred, so set it once the page is parsed.)
  document.addEventListener("DOMContentLoaded", function () {
    if (window.htmx) window.htmx.config.attributesToSettle = ["class", "width", "height"];
  });
  var etag = null;
  // Server time minus this browser's time, from the last server-rendered "now".
  var skew = 0;
  var announced = {};

  // --- Conditional polling -----------------------------------------------------------

  if (live) {
    // The page was rendered with the status it shows; the first poll can be a 304.
    etag = live.getAttribute("data-etag");
    live.addEventListener("htmx:configRequest", function (event) {
      if (etag) event.detail.headers["If-None-Match"] = etag;
    });
    live.addEventListener("htmx:afterRequest", function (event) {
      var xhr = event.detail.xhr;
      if (xhr.status === 200 && xhr.getResponseHeader("ETag")) {
        etag = xhr.getResponseHeader("ETag");
      }
      if (xhr.status === 200 || xhr.status === 304) live.classList.remove("is-offline");
    });
    // A 304 has no body: the status on the page is still right. (The page-wide htmx
    // config swaps every 2xx and 3xx answer.)
    live.addEventListener("htmx:beforeSwap", function (event) {
      if (event.detail.xhr.status === 304) event.detail.shouldSwap = false;
    });
    // A lost network or a failing server shows as one quiet badge on the status, not
    // as a new error message every second (app.js reports other requests' failures).
    ["htmx:sendError", "htmx:responseError", "htmx:timeout"].forEach(function (name) {
      live.addEventListener(name, function (event) {
        event.stopPropagation();
        live.classList.add("is-offline");
      });
    });
  }

  // --- The countdown --------------------------------------------------------------------

  function readClock(root) {
    var clock = (root || document).querySelector("[data-server-now]");
    if (clock) skew = Date.parse(clock.getAttribute("data-server-now")) - Date.now();
  }

  function format(ms) {
    var total = Math.max(0, Math.ceil(ms / 1000));
    var minutes = Math.floor(total / 60);
    var seconds = total % 60;
    return minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
  }

  function announce(text) {
    var region = document.getElementById("session-announcer");
    if (region) region.textContent = text;
  }

  function tick() {
    var now = Date.now() + skew;
    document.querySelectorAll("[data-countdown]").forEach(function (clock) {
      var ends = Date.parse(clock.getAttribute("data-ends-at"));
      var left = ends - now;
      var value = clock.querySelector("[data-countdown-value]") || clock;
      value.textContent = left > 0 ? format(left) : "0:00";
      clock.classList.toggle("is-ending", left > 0 && left <= 60000);
      clock.classList.toggle("is-over", left <= 0);
      // Screen readers hear the milestones, not every second.
      [5, 1].forEach(function (minutes) {
        var key = ends + ":" + minutes;
        if (left <= minutes * 60000 && left > minutes * 60000 - 2000 && !announced[key]) {
          announced[key] = true;
          announce(minutes + (minutes === 1 ? " minute" : " minutes") + " of reading left.");
        }
      });
      if (left <= 0 && !announced[ends + ":0"]) {
        announced[ends + ":0"] = true;
        announce("Reading time is up. The discussion starts now.");
        // Ask the server at once rather than at the next poll; it ends the reading.
        if (live && window.htmx) window.htmx.trigger(live, "wb:due");
      }
    });
  }

  readClock(document);
  tick();
  window.setInterval(tick, 250);

  // --- Following the facilitator in the discussion -----------------------------------

  var focused = null;
  var version = null;

  function typingInDiscussion() {
    var active = document.activeElement;
    if (active && active.matches("textarea, input[type=text], input[type=date], select")) {
      return true;
    }
    return Array.prototype.some.call(
      document.querySelectorAll("[data-reading] textarea"),
      function (area) {
        return area.value.trim() !== "";
      }
    );
  }

  function markFocused(id) {
    document.querySelectorAll(".is-focused").forEach(function (element) {
      element.classList.remove("is-focused");
    });
    if (!id) return null;
    document.querySelectorAll('mark[data-comment-ref="' + id + '"]').forEach(function (mark) {
      mark.classList.add("is-focused");
    });
    var card = document.querySelector('[data-comment="' + id + '"]');
    if (card) card.classList.add("is-focused");
    return card;
  }

  // A thread whose margin has not loaded yet (a long discussion loads margins as they
  // come near the screen): load it, and scroll to the thread once it is there.
  var scrollPending = null;

  function applyFocus(id, section) {
    var card = markFocused(id);
    if (!card && id && section) {
      var loader = document.querySelector("#margin-" + section + " .margin-loading");
      if (loader && window.htmx) {
        scrollPending = id;
        window.htmx.trigger(loader, "load-margin");
        return;
      }
    }
    // Scroll to the thread, but leave the keyboard focus where the reader has it.
    if (card && !typingInDiscussion()) {
      var smooth = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      card.scrollIntoView({ block: "center", behavior: smooth ? "smooth" : "auto" });
    }
  }

  // Replies, resolutions and +1s by others: fetch the margins again, unless this
  // reader is in the middle of writing (then at the next change).
  var pendingRefresh = false;

  function refreshMargins() {
    var source = live && live.getAttribute("data-margins-url");
    if (!source || !window.htmx) return;
    if (typingInDiscussion()) {
      pendingRefresh = true;
      return;
    }
    pendingRefresh = false;
    // Where some margins have not loaded yet, only the loaded ones come again.
    if (document.querySelector("[data-margin] .margin-loading")) {
      var loaded = [];
      document.querySelectorAll("[data-margin]").forEach(function (margin) {
        if (margin.children.length && !margin.querySelector(".margin-loading")) {
          loaded.push(margin.id.replace(/^margin-/, ""));
        }
      });
      if (!loaded.length) return;
      source += "&rows=" + encodeURIComponent(loaded.join(","));
    }
    window.htmx.ajax("GET", source, { source: live, swap: "none" });
  }

  function onStatus(root) {
    readClock(root);
    tick();
    var status = root.querySelector("[data-status]");
    if (!status) return;
    var newVersion = status.getAttribute("data-version");
    var newFocus = status.getAttribute("data-focused-comment") || "";
    if (version !== null && newVersion !== version) refreshMargins();
    else if (pendingRefresh) refreshMargins();
    version = newVersion;
    if (newFocus !== focused) {
      focused = newFocus;
      applyFocus(newFocus, status.getAttribute("data-focused-section"));
      var label = status.querySelector("[data-focus-label]");
      if (newFocus && label) announce(label.textContent.trim());
    }
  }

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target === live) onStatus(live);
  });
  // After the margins come back, the focused thread keeps its emphasis.
  // (After the settle: htmx puts a swapped element's old attributes back until then.)
  document.body.addEventListener("htmx:afterSettle", function () {
    if (!focused) return;
    markFocused(focused);
    if (scrollPending === focused && document.querySelector('[data-comment="' + focused + '"]')) {
      scrollPending = null;
      applyFocus(focused);
    }
  });

  if (live) {
    var status = live.querySelector("[data-status]");
    if (status) {
      version = status.getAttribute("data-version");
      focused = status.getAttribute("data-focused-comment") || "";
      if (focused) {
        var section = status.getAttribute("data-focused-section");
        window.addEventListener("load", function () {
          applyFocus(focused, section);
        });
      }
    }
  }
})();
