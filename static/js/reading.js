// Reading and commenting on an iteration: select a passage, comment on it, see your
// comments highlighted in the text and listed in the margin beside it.
//
// The page marks each commentable section body with data-anchor-root and
// data-section-key; its content is exactly the iteration's rendered HTML, so the
// offsets sent to the server are offsets into the same text the server computes
// (the section's textContent); anchors.js, loaded first, computes them. The comment
// form works without this script: the reader names the section and types the
// passage, and the server finds it.
(function () {
  "use strict";

  var anchors = window.workbackAnchors;

  // Margin cards and the comment box are placed with element.style (CSSOM, which the
  // Content-Security-Policy allows). htmx would copy that style attribute onto the
  // elements it swaps in with setAttribute, which the policy blocks: do not settle it.
  // (htmx loads after this script; both are deferred, so set it once the page is parsed.)
  document.addEventListener("DOMContentLoaded", function () {
    if (window.htmx) window.htmx.config.attributesToSettle = ["class", "width", "height"];
  });

  var layout = document.querySelector("[data-reading]");
  if (!layout) return;
  var floating = null;
  var returnFocus = null;

  // --- Highlights ------------------------------------------------------------------------

  function clearMarks() {
    var roots = new Set();
    layout.querySelectorAll("mark.comment-mark").forEach(function (mark) {
      roots.add(mark.closest("[data-anchor-root]"));
      while (mark.firstChild) mark.parentNode.insertBefore(mark.firstChild, mark);
      mark.remove();
    });
    roots.forEach(function (root) {
      if (root) root.normalize();
    });
  }

  function cards() {
    return Array.prototype.slice.call(layout.querySelectorAll("[data-comment]"));
  }

  function marksFor(id) {
    return layout.querySelectorAll('mark.comment-mark[data-comment-ref="' + id + '"]');
  }

  function highlightAll() {
    clearMarks();
    cards().forEach(function (card) {
      var root = layout.querySelector(
        '[data-anchor-root][data-section-key="' + card.getAttribute("data-section-key") + '"]'
      );
      var quote = card.getAttribute("data-quote") || "";
      if (!root || !quote) return;
      var at = anchors.locate(
        root.textContent,
        quote,
        parseInt(card.getAttribute("data-start"), 10),
        card.getAttribute("data-prefix") || "",
        card.getAttribute("data-suffix") || ""
      );
      card.classList.toggle("is-unanchored", at < 0);
      if (at < 0) return;
      var id = card.getAttribute("data-comment");
      var kind = card.getAttribute("data-kind") || "question";
      anchors.wrap(root, at, at + quote.length, function () {
        var mark = document.createElement("mark");
        mark.className = "comment-mark comment-mark--" + kind;
        mark.setAttribute("data-comment-ref", id);
        if (card.classList.contains("is-focused")) mark.classList.add("is-focused");
        return mark;
      });
    });
    alignMargins();
  }

  // --- The margin beside the text -------------------------------------------------------

  var wide = window.matchMedia("(min-width: 64rem)");

  // On wide screens every card hangs in the margin at the height of its passage
  // (its first highlight, or its section for a whole-section comment), never
  // overlapping the card above it; cards keep document order. On narrow screens they
  // sit below their section as plain flow.
  function alignMargins() {
    var memo = layout.querySelector(".memo--with-margin");
    if (!memo) return;
    var list = cards();
    list.forEach(function (card) {
      card.style.top = "";
    });
    layout.classList.toggle("is-aligned", wide.matches);
    memo.style.minHeight = "";
    if (!wide.matches) return;
    var base = memo.getBoundingClientRect().top;
    var floor = 0;
    list.forEach(function (card) {
      var target = marksFor(card.getAttribute("data-comment"))[0] ||
        layout.querySelector(
          '[data-anchor-root][data-section-key="' + card.getAttribute("data-section-key") + '"]'
        ) || card.closest(".doc-row");
      var wanted = target ? target.getBoundingClientRect().top - base : floor;
      var top = Math.max(wanted - 4, floor);
      card.style.top = top + "px";
      floor = top + card.offsetHeight + 10;
    });
    memo.style.minHeight = floor + "px";
  }

  // A reply or action-item form opening makes its card taller.
  layout.addEventListener("toggle", alignMargins, true);

  function setActive(id, on) {
    marksFor(id).forEach(function (mark) {
      mark.classList.toggle("is-active", on);
    });
    var card = layout.querySelector('[data-comment="' + id + '"]');
    if (card) card.classList.toggle("is-active", on);
  }

  layout.addEventListener("mouseover", function (event) {
    var target = event.target.closest("[data-comment], mark.comment-mark");
    if (!target) return;
    setActive(target.getAttribute("data-comment") || target.getAttribute("data-comment-ref"), true);
  });
  layout.addEventListener("mouseout", function (event) {
    var target = event.target.closest("[data-comment], mark.comment-mark");
    if (!target) return;
    setActive(target.getAttribute("data-comment") || target.getAttribute("data-comment-ref"), false);
  });
  layout.addEventListener("focusin", function (event) {
    var card = event.target.closest("[data-comment]");
    if (card) setActive(card.getAttribute("data-comment"), true);
  });
  layout.addEventListener("focusout", function (event) {
    var card = event.target.closest("[data-comment]");
    if (card) setActive(card.getAttribute("data-comment"), false);
  });
  // Clicking a highlight (without selecting) brings its comment forward.
  layout.addEventListener("click", function (event) {
    var mark = event.target.closest("mark.comment-mark");
    if (!mark || !window.getSelection().isCollapsed) return;
    focusCard(layout.querySelector('[data-comment="' + mark.getAttribute("data-comment-ref") + '"]'));
  });

  function focusCard(card) {
    if (!card) return;
    card.scrollIntoView({ block: "center", behavior: reducedMotion() ? "auto" : "smooth" });
    card.focus({ preventScroll: true });
  }

  function reducedMotion() {
    return window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  // --- The comment box ----------------------------------------------------------------
  //
  // The server re-renders the box after each save (empty, or with the errors), so it
  // is looked up each time and its events are delegated from the document.

  function getBox() {
    return document.getElementById("comment-box");
  }

  function field(name) {
    var box = getBox();
    return box ? box.querySelector('[name="' + name + '"]') : null;
  }

  function setValue(name, value) {
    var input = field(name);
    if (input) input.value = value;
  }

  function fillAnchor(anchor) {
    setValue("section_key", anchor.sectionKey);
    setValue("quote", anchor.quote);
    setValue("prefix", anchor.prefix);
    setValue("suffix", anchor.suffix);
    setValue("start", String(anchor.start));
    setValue("end", String(anchor.end));
    var preview = getBox().querySelector("[data-quote-preview]");
    if (preview) preview.textContent = anchor.quote;
    getBox().classList.add("has-anchor");
  }

  // The exact anchor no longer holds once the reader edits the passage by hand;
  // the server then finds the passage in the section by itself.
  function forgetOffsets() {
    ["prefix", "suffix", "start", "end"].forEach(function (name) {
      setValue(name, "");
    });
    var box = getBox();
    if (box) box.classList.remove("has-anchor");
  }

  layout.classList.add("is-enhanced");
  document.addEventListener("input", function (event) {
    var name = event.target.getAttribute("name");
    if (event.target.closest("#comment-box") && (name === "quote" || name === "section_key")) {
      forgetOffsets();
    }
    if (event.target.closest("#comment-box") && name === "section_key") {
      setValue("quote", "");
      fillSentences();
    }
    if (event.target.matches("#comment-box [data-sentence-picker]")) chooseSentence(event.target);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && event.target.closest("#comment-box")) {
      event.preventDefault();
      closeBox();
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("#comment-box [data-close-box]")) closeBox();
  });

  var boxTop = null;

  // On wide screens the open box hangs beside its passage (or, opened without one,
  // where the reader is), always inside the reading layout: never over what follows
  // it, such as the threads whose passage is gone. Near the end of a short memo it
  // moves up; if it is taller than the memo, the layout grows to hold it.
  function placeBox() {
    var box = getBox();
    if (!box) return;
    box.style.top = "";
    layout.style.paddingBottom = "";
    if (!wide.matches || !box.classList.contains("is-open")) return;
    var top = boxTop !== null ? boxTop : Math.max(0, 16 - layout.getBoundingClientRect().top);
    var room = layout.offsetHeight;
    var height = box.offsetHeight;
    if (height > room) layout.style.paddingBottom = height - room + "px";
    box.style.top = Math.max(0, Math.min(top, room - height)) + "px";
  }

  function openBox(anchor) {
    var box = getBox();
    if (!box) return;
    if (!box.classList.contains("is-open")) returnFocus = document.activeElement;
    boxTop = null;
    if (anchor) {
      fillAnchor(anchor);
      boxTop = Math.max(0, anchor.rect.top - layout.getBoundingClientRect().top);
    }
    box.classList.add("is-open");
    if (!anchor) fillSentences();
    placeBox();
    hideFloating();
    var first = anchor ? box.querySelector("input[name=kind]:checked, input[name=kind]") : null;
    (first || field("section_key") || field("body")).focus({ preventScroll: true });
    if (!anchor) box.scrollIntoView({ block: "nearest" });
  }

  // --- A passage without a mouse: choosing a sentence -----------------------------------
  //
  // Opened without a selection (the "Comment on selection" button or "c" with nothing
  // selected), the box lists the chosen section's sentences. Choosing one fills the
  // passage and its exact anchor, as selecting the sentence with a mouse would.

  function sentencePicker() {
    var box = getBox();
    if (!box) return null;
    var picker = box.querySelector("[data-sentence-picker]");
    if (picker) return picker;
    var section = field("section_key");
    if (!section) return null;
    var wrapper = document.createElement("div");
    wrapper.className = "field sentence-field";
    var label = document.createElement("label");
    label.setAttribute("for", "id_sentence");
    label.textContent = "Sentence:";
    var help = document.createElement("p");
    help.className = "field-help";
    help.id = "id_sentence_helptext";
    help.textContent = "Comment on one sentence of the section, or on the whole section.";
    picker = document.createElement("select");
    picker.id = "id_sentence";
    picker.setAttribute("data-sentence-picker", "");
    picker.setAttribute("aria-describedby", "id_sentence_helptext");
    wrapper.appendChild(label);
    wrapper.appendChild(help);
    wrapper.appendChild(picker);
    section.closest(".field").after(wrapper);
    return picker;
  }

  function fillSentences() {
    var picker = sentencePicker();
    if (!picker) return;
    var root = layout.querySelector(
      '[data-anchor-root][data-section-key="' + (field("section_key").value || "") + '"]'
    );
    picker.textContent = "";
    var whole = document.createElement("option");
    whole.value = "";
    whole.textContent = "The whole section";
    picker.appendChild(whole);
    (root ? anchors.sentencesOf(root) : []).forEach(function (sentence) {
      var option = document.createElement("option");
      var words = root.textContent.slice(sentence.start, sentence.end).replace(/\s+/g, " ");
      option.value = sentence.start + ":" + sentence.end;
      option.textContent = words.length > 90 ? words.slice(0, 89) + "…" : words;
      picker.appendChild(option);
    });
    picker.disabled = !root;
    // Opened again on the sentence it was left on: the list says so.
    var chosen = field("start").value + ":" + field("end").value;
    if (field("quote").value && picker.querySelector('option[value="' + chosen + '"]')) {
      picker.value = chosen;
    }
  }

  function chooseSentence(picker) {
    var root = layout.querySelector(
      '[data-anchor-root][data-section-key="' + field("section_key").value + '"]'
    );
    if (!root || !picker.value) {
      setValue("quote", "");
      forgetOffsets();
      return;
    }
    var bounds = picker.value.split(":");
    var anchor = anchors.anchorAt(root, parseInt(bounds[0], 10), parseInt(bounds[1], 10));
    // The passage field shows the sentence; the fields stay, to choose another.
    setValue("quote", anchor.quote);
    setValue("prefix", anchor.prefix);
    setValue("suffix", anchor.suffix);
    setValue("start", String(anchor.start));
    setValue("end", String(anchor.end));
  }

  function closeBox() {
    var box = getBox();
    if (!box) return;
    box.classList.remove("is-open");
    placeBox();
    if (returnFocus && document.body.contains(returnFocus)) returnFocus.focus();
    returnFocus = null;
  }

  function commentOnSelection() {
    openBox(anchors.selectionAnchor() || lastSelection);
  }

  // The floating "Comment" button that follows a mouse or touch selection.
  function showFloating(anchor) {
    if (!floating) {
      floating = document.createElement("button");
      floating.type = "button";
      floating.className = "button button--primary button--small comment-float";
      floating.textContent = "Comment";
      floating.setAttribute("aria-label", "Comment on the selected passage");
      // Keep the selection alive: pressing the button must not collapse it first.
      floating.addEventListener("mousedown", function (event) {
        event.preventDefault();
      });
      floating.addEventListener("click", function () {
        openBox(lastSelection);
      });
      layout.appendChild(floating);
    }
    var base = layout.getBoundingClientRect();
    floating.style.top = anchor.rect.bottom - base.top + 6 + "px";
    floating.style.left = Math.max(0, anchor.rect.right - base.left - 40) + "px";
    floating.hidden = false;
  }

  function hideFloating() {
    if (floating) floating.hidden = true;
  }

  // Touch screens change the selection with handles and never fire mouseup, so the
  // selection is read on selectionchange, once it has settled.
  var lastSelection = null;
  var settle = null;
  document.addEventListener("selectionchange", function () {
    window.clearTimeout(settle);
    settle = window.setTimeout(function () {
      var anchor = anchors.selectionAnchor();
      var toolbarButton = document.querySelector("[data-comment-on-selection]");
      var box = getBox();
      if (anchor) {
        lastSelection = anchor;
        // While the box is open the selection is already what it comments on.
        if (box && box.classList.contains("is-open")) hideFloating();
        else showFloating(anchor);
        if (toolbarButton) toolbarButton.setAttribute("data-has-selection", "");
      } else {
        hideFloating();
        if (toolbarButton) toolbarButton.removeAttribute("data-has-selection");
      }
    }, 120);
  });

  document.querySelectorAll("[data-comment-on-selection]").forEach(function (button) {
    // Pressing the toolbar button must not throw the selection away before it is read.
    button.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    button.addEventListener("click", commentOnSelection);
  });

  // --- Keyboard shortcuts ---------------------------------------------------------------

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }

  function nextCard(step) {
    var list = cards().filter(function (card) {
      return card.offsetParent !== null;
    });
    if (!list.length) return;
    var current = list.indexOf(document.activeElement.closest("[data-comment]"));
    var index = current === -1 ? (step > 0 ? 0 : list.length - 1) : current + step;
    index = (index + list.length) % list.length;
    focusCard(list[index]);
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    var key = event.key;
    if (key === "c") {
      event.preventDefault();
      commentOnSelection();
    } else if (key === "n") {
      event.preventDefault();
      nextCard(1);
    } else if (key === "p") {
      event.preventDefault();
      nextCard(-1);
    } else if (key === "d") {
      var done = document.querySelector("[data-done-toggle]");
      if (done) {
        event.preventDefault();
        done.click();
      }
    }
  });

  // --- After the server answers ---------------------------------------------------------

  // After "Send reply" the thread comes back in place of the form the keyboard was on:
  // the focus goes to the new reply (screen readers read it out), not to the page.
  document.body.addEventListener("wb:replied", function (event) {
    var reply = event.detail && document.getElementById(event.detail.reply);
    if (!reply) return;
    reply.focus({ preventScroll: true });
    reply.scrollIntoView({ block: "nearest", behavior: reducedMotion() ? "auto" : "smooth" });
  });

  // A new comment or a refreshed margin: highlight again. The box comes back empty
  // with data-saved after a save (close it, focus the new comment), or open with
  // the errors.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    // The live status changes nothing in the text; leave a selection in progress alone.
    var target = event.detail.target;
    if (target && target.closest && target.closest("[data-live]")) return;
    highlightAll();
    var box = getBox();
    if (!box) return;
    if (box.hasAttribute("data-saved")) {
      var saved = document.getElementById("comment-" + box.getAttribute("data-saved"));
      box.removeAttribute("data-saved");
      returnFocus = null;
      if (saved) saved.focus({ preventScroll: true });
      lastSelection = null;
      window.getSelection().removeAllRanges();
      placeBox();
    } else if (box.classList.contains("is-open")) {
      if (!box.classList.contains("has-anchor")) fillSentences();
      placeBox();
    }
  });
  document.body.addEventListener("htmx:oobAfterSwap", function () {
    window.requestAnimationFrame(highlightAll);
  });

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(alignMargins, 100);
  });
  wide.addEventListener("change", alignMargins);

  highlightAll();
  // Fonts change line positions once they load.
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(alignMargins);
})();
