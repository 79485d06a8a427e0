// Small enhancements for every page. No framework; htmx does the talking.
(function () {
  "use strict";

  // Close the user menu when clicking elsewhere or pressing Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });

  // Ask before destructive actions: forms and buttons carrying data-confirm.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // A request that failed (network or server error) says so instead of failing silently.
  document.addEventListener("htmx:sendError", function () {
    showMessage("The network is unreachable; your change was not sent. Try again.", "error");
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    var text = status === 403 ? "You do not have permission to do that."
      : status === 404 ? "That no longer exists; reload the page."
      : "Something went wrong (" + status + "); your change was not saved.";
    showMessage(text, "error");
  });

  function showMessage(text, kind) {
    var region = document.getElementById("messages");
    if (!region) return;
    var p = document.createElement("p");
    p.className = "message message--" + kind;
    p.textContent = text;
    region.appendChild(p);
  }
})();
