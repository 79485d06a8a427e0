/* @mentions: typing "@" in a comment or reply box suggests team members.
 *
 * Every <textarea name="body"> inside an element with data-mentions-url="/i/<id>/mentions/"
 * takes part (listeners are delegated from the document and the URL is read from the
 * ancestor at each keystroke, so boxes that htmx swaps in later work too). The
 * server renders the suggestions (a role="listbox" fragment); ArrowUp/ArrowDown move
 * through them, Enter or Tab inserts "@Name", Escape closes. The box shows only what
 * readers will read: the chosen (name, id) pairs go in the form's hidden "mentions"
 * field (JSON), and the server turns each chosen "@Name" back into its unambiguous
 * token (reviews/mentions.py, with_tokens). Without this script people still mention
 * by typing @ and an e-mail address, or the part of it before the "@".
 */
(function () {
  "use strict";
  // Listeners are on the document: loading the script twice must not double them.
  if (window.workbackMentions) return;
  window.workbackMentions = true;

  // "@" at the start or after a space or "(", then what has been typed of the name.
  const TRIGGER = /(^|[\s(])@([^\s@[\]()]{0,40})$/;
  const DELAY_MS = 120;
  let open = null; // { textarea, picker, options, index, start }
  let timer = null;
  let inflight = null;

  function boxOf(target) {
    return target instanceof HTMLTextAreaElement &&
      target.name === "body" &&
      target.form &&
      target.closest("[data-mentions-url]")
      ? target
      : null;
  }

  function urlOf(textarea) {
    return textarea.closest("[data-mentions-url]").dataset.mentionsUrl;
  }

  function idFor(textarea) {
    if (!textarea.id) {
      textarea.id = "mention-box-" + Math.random().toString(36).slice(2, 9);
    }
    return textarea.id;
  }

  function close() {
    if (inflight) {
      inflight.abort();
      inflight = null;
    }
    window.clearTimeout(timer);
    if (!open) return;
    open.textarea.removeAttribute("aria-activedescendant");
    open.textarea.removeAttribute("aria-controls");
    open.picker.remove();
    open = null;
  }

  function pickerFor(textarea) {
    if (open && open.textarea === textarea) return open.picker;
    close();
    const picker = document.createElement("div");
    picker.className = "mention-picker";
    picker.innerHTML =
      '<div class="mention-list"></div><p class="visually-hidden" role="status" aria-live="polite"></p>';
    textarea.insertAdjacentElement("afterend", picker);
    open = { textarea: textarea, picker: picker, options: [], index: -1, start: 0 };
    return picker;
  }

  function highlight(index) {
    if (!open || !open.options.length) return;
    const count = open.options.length;
    open.index = ((index % count) + count) % count;
    open.options.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === open.index ? "true" : "false");
    });
    const active = open.options[open.index];
    open.textarea.setAttribute("aria-activedescendant", active.id);
    active.scrollIntoView({ block: "nearest" });
  }

  function show(textarea, start, html) {
    const picker = pickerFor(textarea);
    open.start = start;
    const list = picker.querySelector(".mention-list");
    list.innerHTML = html;
    const base = idFor(textarea);
    const listbox = list.querySelector('[role="listbox"]');
    open.options = Array.prototype.slice.call(list.querySelectorAll('[role="option"]'));
    const status = picker.querySelector('[role="status"]');
    if (!listbox || !open.options.length) {
      textarea.removeAttribute("aria-activedescendant");
      textarea.removeAttribute("aria-controls");
      status.textContent = list.textContent.trim();
      return;
    }
    listbox.id = base + "-mentions";
    open.options.forEach(function (option, i) {
      option.id = base + "-mention-" + i;
    });
    textarea.setAttribute("aria-controls", listbox.id);
    status.textContent =
      open.options.length +
      (open.options.length === 1 ? " team member" : " team members") +
      ": up and down arrows to choose, Enter to insert.";
    highlight(0);
  }

  function suggest(textarea) {
    if (textarea.selectionStart !== textarea.selectionEnd) return close();
    const caret = textarea.selectionStart;
    const match = TRIGGER.exec(textarea.value.slice(0, caret));
    if (!match) return close();
    const typed = match[2];
    const start = caret - typed.length - 1;
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      if (inflight) inflight.abort();
      inflight = new AbortController();
      const url = urlOf(textarea) + "?q=" + encodeURIComponent(typed);
      fetch(url, { credentials: "same-origin", signal: inflight.signal })
        .then(function (response) {
          return response.ok ? response.text() : Promise.reject(response.status);
        })
        .then(function (html) {
          inflight = null;
          if (document.activeElement === textarea) show(textarea, start, html);
        })
        .catch(function () {
          // Aborted by the next keystroke, or the server said no: no suggestions.
        });
    }, DELAY_MS);
  }

  // The form's hidden field of chosen names: [{"name": "Maya Lee", "id": 42}, …].
  function chosenField(textarea) {
    let field = textarea.form.querySelector('input[name="mentions"]');
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "mentions";
      textarea.form.appendChild(field);
    }
    return field;
  }

  function remember(textarea, name, id) {
    const field = chosenField(textarea);
    let chosen = [];
    try {
      chosen = JSON.parse(field.value || "[]");
    } catch (error) {
      chosen = [];
    }
    if (!Array.isArray(chosen)) chosen = [];
    const known = chosen.some(function (pair) {
      return pair && pair.name === name && String(pair.id) === String(id);
    });
    if (!known) chosen.push({ name: name, id: Number(id) });
    field.value = JSON.stringify(chosen);
  }

  function insert(option) {
    if (!open) return;
    const textarea = open.textarea;
    // What a token's name may hold: no brackets, no line breaks (reviews/mentions.py).
    const name = (option.dataset.mentionName || "").replace(/[[\]\n\r]/g, "").trim();
    const id = option.dataset.mentionId;
    if (!name || !/^\d+$/.test(id || "")) return close();
    remember(textarea, name, id);
    const text = "@" + name + " ";
    const caret = textarea.selectionStart;
    const value = textarea.value;
    textarea.value = value.slice(0, open.start) + text + value.slice(caret);
    const after = open.start + text.length;
    close();
    textarea.focus();
    textarea.setSelectionRange(after, after);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("focusin", function (event) {
    const textarea = boxOf(event.target);
    if (textarea) textarea.setAttribute("aria-autocomplete", "list");
  });

  document.addEventListener("input", function (event) {
    const textarea = boxOf(event.target);
    if (textarea) suggest(textarea);
  });

  document.addEventListener("keydown", function (event) {
    const textarea = boxOf(event.target);
    if (!textarea || !open || open.textarea !== textarea) return;
    if (event.key === "Escape") {
      event.preventDefault();
      close();
      return;
    }
    if (!open.options.length || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      highlight(open.index + (event.key === "ArrowDown" ? 1 : -1));
    } else if ((event.key === "Enter" && !event.shiftKey) || event.key === "Tab") {
      event.preventDefault();
      insert(open.options[open.index]);
    }
  });

  // mousedown, not click: the textarea keeps the focus (and the caret) meanwhile.
  document.addEventListener("mousedown", function (event) {
    if (!open) return;
    const option = event.target.closest && event.target.closest(".mention-option");
    if (option && open.picker.contains(option)) {
      event.preventDefault();
      insert(option);
    } else if (!open.picker.contains(event.target) && event.target !== open.textarea) {
      close();
    }
  });

  document.addEventListener("focusout", function (event) {
    if (open && event.target === open.textarea) {
      window.setTimeout(function () {
        if (open && document.activeElement !== open.textarea) close();
      }, 0);
    }
  });

  // A swap that replaces the box (a saved comment, a new thread) takes the picker with it;
  // other swaps on the page (live status, unread count) leave it alone.
  document.addEventListener("htmx:beforeSwap", function (event) {
    const target = event.detail && event.detail.target;
    if (open && target && target.contains(open.textarea)) close();
  });
})();
