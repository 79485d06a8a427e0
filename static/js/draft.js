// The drafting page: autosave, live preview, word counts and moving FAQ entries and sections.
// No framework. Everything here is an enhancement of plain forms that work without it:
// an editor is a form that POSTs its text; a move button is a form that POSTs a direction.
(function () {
  "use strict";

  var SAVE_DELAY = 1000; // ms after the last keystroke
  var PREVIEW_DELAY = 300;
  var WORD = /[\p{L}\p{N}]+(?:['’.\-][\p{L}\p{N}]+)*/gu; // as documents/rendering.py counts
  var states = new WeakMap();

  function stateOf(form) {
    var state = states.get(form);
    if (!state) {
      state = { dirty: false, saving: false, again: false, timer: null, previewTimer: null,
        previewSeq: 0, waiters: [] };
      states.set(form, state);
    }
    return state;
  }

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function announce(text) {
    var region = document.getElementById("draft-announcer");
    if (region) region.textContent = text;
  }

  function showState(form, text, failed) {
    var label = form.querySelector("[data-save-state]");
    var retry = form.querySelector("[data-retry]");
    if (label) {
      label.textContent = text;
      label.classList.toggle("save-state--failed", !!failed);
    }
    if (retry) retry.hidden = !failed;
  }

  function countWords(text) {
    var matches = (text || "").match(WORD);
    return matches ? matches.length : 0;
  }

  function formWords(form) {
    var words = 0;
    form.querySelectorAll("[data-body], input[name=question]").forEach(function (field) {
      words += countWords(field.value);
    });
    return words;
  }

  function showWords(form, words) {
    var target = form.querySelector("[data-word-count]");
    if (!target) return;
    var minutes = words > 0 ? Math.ceil(words / 230) : 0;
    target.textContent = words + (words === 1 ? " word" : " words") +
      (words ? " · " + minutes + " min" : "");
  }

  // --- Autosave ----------------------------------------------------------------------

  function values(form) {
    return Array.prototype.map.call(form.querySelectorAll("textarea, input[type=text]"),
      function (field) { return field.value; }).join("\u0000");
  }

  function settle(state, ok) {
    var waiters = state.waiters;
    state.waiters = [];
    waiters.forEach(function (resolve) { resolve(ok); });
  }

  function save(form) {
    var state = stateOf(form);
    clearTimeout(state.timer);
    if (state.saving) {
      // One request per editor at a time: the next one must carry the version
      // this one returns, or the author would conflict with themselves.
      state.again = true;
      return;
    }
    if (!state.dirty) {
      settle(state, true);
      return;
    }
    var sent = values(form);
    state.saving = true;
    state.dirty = false;
    showState(form, "Saving…", false);
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken(form) }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }).then(function (result) {
      state.saving = false;
      if (result.status === 200) {
        form.querySelector("[data-version]").value = result.data.version;
        var stats = document.getElementById("draft-stats");
        if (stats && result.data.stats_html) stats.innerHTML = result.data.stats_html;
        if (values(form) !== sent) {
          state.dirty = true;
        } else {
          // The server's rendering of exactly what was saved: the preview settles on it.
          var target = form.querySelector("[data-preview]");
          if (target && typeof result.data.html === "string") target.innerHTML = result.data.html;
        }
        if (state.dirty || state.again) {
          state.again = false;
          showState(form, "Saving…", false);
          save(form);
        } else {
          showState(form, "Saved", false);
          settle(state, true);
        }
      } else if (result.status === 409 && result.data.html) {
        showConflict(form, result.data.html);
        settle(state, false);
      } else {
        failed(form, state, result.status);
      }
    }).catch(function () {
      state.saving = false;
      failed(form, state, 0);
    });
  }

  function failed(form, state, status) {
    state.dirty = true;
    state.again = false;
    var reason = status === 403 ? " (you may no longer edit this document)"
      : status === 404 ? " (this part no longer exists)"
      : status === 0 ? " (no connection)" : "";
    showState(form, "Not saved — retry" + reason, true);
    settle(state, false);
  }

  function showConflict(form, html) {
    // Keep every word: what the author typed after the refused save went out is
    // put into "your text" of the conflict view.
    var body = form.querySelector("[data-body]");
    var latest = body ? body.value : null;
    var question = form.querySelector("input[name=question]");
    var latestQuestion = question ? question.value : null;
    var item = form.closest("[data-move-item]");
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    var replacement = template.content.firstElementChild;
    item.replaceWith(replacement);
    var mine = replacement.querySelector("[data-mine]");
    if (mine && latest !== null) mine.value = latest;
    var mineQuestion = replacement.querySelector("input[name=question]");
    if (mineQuestion && latestQuestion !== null) mineQuestion.value = latestQuestion;
    if (window.htmx) window.htmx.process(replacement);
    if (mine) mine.focus();
  }

  // Resolves true when every editor in ``scope`` has saved what it holds.
  function flush(scope) {
    var forms = Array.prototype.slice.call(scope.querySelectorAll("form[data-autosave]"));
    return Promise.all(forms.map(function (form) {
      var state = stateOf(form);
      if (!state.dirty && !state.saving) return Promise.resolve(true);
      return new Promise(function (resolve) {
        state.waiters.push(resolve);
        save(form);
      });
    })).then(function (results) { return results.every(Boolean); });
  }

  // --- Live preview --------------------------------------------------------------------

  function preview(form) {
    var state = stateOf(form);
    var body = form.querySelector("[data-body]");
    var target = form.querySelector("[data-preview]");
    var url = form.getAttribute("data-preview-url");
    if (!body || !target || !url) return;
    var seq = ++state.previewSeq;
    var data = new FormData();
    data.append("body", body.value);
    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(form) }
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.text();
    }).then(function (html) {
      // The server sanitized this HTML; a slower, older answer never overwrites a newer one.
      if (seq === state.previewSeq) target.innerHTML = html;
    }).catch(function () { /* the preview catches up on the next keystroke */ });
  }

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-autosave]");
    if (!form) return;
    var state = stateOf(form);
    state.dirty = true;
    showState(form, "Editing…", false);
    showWords(form, formWords(form));
    clearTimeout(state.timer);
    state.timer = setTimeout(function () { save(form); }, SAVE_DELAY);
    if (event.target.matches("[data-body]")) {
      clearTimeout(state.previewTimer);
      state.previewTimer = setTimeout(function () { preview(form); }, PREVIEW_DELAY);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form[data-autosave]")) {
      // "Save" saves now, in place; the plain POST is for browsers without this script.
      event.preventDefault();
      stateOf(form).dirty = true;
      save(form);
    } else if (form.matches("form[data-flush-drafts]")) {
      // Save iteration (or upload) only after every open editor has saved its text,
      // and once: the button is disabled from the first click until the next page,
      // so a double click sends one request (the server refuses a repeat anyway).
      if (form.dataset.flushed && !form.dataset.sent) {
        form.dataset.sent = "1";
        return;
      }
      event.preventDefault();
      if (form.dataset.busy) return;
      busy(form, true);
      flush(document).then(function (ok) {
        if (ok) {
          form.dataset.flushed = "1";
          // After this event's dispatch: a form ignores requestSubmit() while it is
          // still firing its submit event (an empty flush resolves that soon).
          setTimeout(function () { form.requestSubmit(); }, 0);
        } else {
          busy(form, false);
          announce("Some text is not saved yet; resolve that first.");
        }
      });
    } else if (form.matches("form[data-move]")) {
      event.preventDefault();
      move(form);
    }
  });

  function busy(form, on) {
    if (on) form.dataset.busy = "1"; else delete form.dataset.busy;
    form.setAttribute("aria-busy", on ? "true" : "false");
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = on;
    });
  }

  // Back to a page kept by the browser's back/forward cache: its forms can be sent again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-flush-drafts]").forEach(function (form) {
      delete form.dataset.flushed;
      delete form.dataset.sent;
      busy(form, false);
    });
  });

  document.addEventListener("click", function (event) {
    var retry = event.target.closest && event.target.closest("[data-retry]");
    if (!retry) return;
    var form = retry.closest("form[data-autosave]");
    stateOf(form).dirty = true;
    save(form);
  });

  // "Done" closes an editor only once its text is saved (htmx asks before each request).
  document.addEventListener("htmx:confirm", function (event) {
    var trigger = event.detail.elt;
    if (!trigger.matches || !trigger.matches("[data-close-editor]")) return;
    var form = trigger.closest("form[data-autosave]");
    var state = stateOf(form);
    if (!state.dirty && !state.saving) return;
    event.preventDefault();
    flush(form.closest("[data-move-item]")).then(function (ok) {
      if (ok) event.detail.issueRequest(true);
    });
  });

  window.addEventListener("beforeunload", function (event) {
    var unsaved = Array.prototype.some.call(document.querySelectorAll("form[data-autosave]"),
      function (form) { var s = stateOf(form); return s.dirty || s.saving; });
    if (unsaved) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // --- Moving FAQ entries and free sections ----------------------------------------------

  function refreshMoveButtons(list) {
    var items = Array.prototype.filter.call(list.children, function (child) {
      return child.matches("[data-move-item]");
    });
    items.forEach(function (item, index) {
      var up = item.querySelector("form[data-move=up] button");
      var down = item.querySelector("form[data-move=down] button");
      if (up) up.disabled = index === 0;
      if (down) down.disabled = index === items.length - 1;
    });
  }

  function move(form) {
    var direction = form.getAttribute("data-move");
    var item = form.closest("[data-move-item]");
    var list = item.parentElement;
    var heading = item.querySelector("h3");
    var label = heading ? heading.textContent.trim() : "";
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken(form) }
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      if (direction === "up" && item.previousElementSibling) {
        list.insertBefore(item, item.previousElementSibling);
      } else if (direction === "down" && item.nextElementSibling) {
        list.insertBefore(item.nextElementSibling, item);
      }
      refreshMoveButtons(list);
      var button = form.querySelector("button");
      if (button.disabled) {
        var other = item.querySelector("form[data-move=" + (direction === "up" ? "down" : "up") + "] button");
        if (other) other.focus();
      } else {
        button.focus();
      }
      announce("Moved " + direction + ": " + label);
    }).catch(function () {
      announce("Could not move “" + label + "”. Reload the page and try again.");
    });
  }

  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("[data-move-list]").forEach(refreshMoveButtons);
  });
})();
