// Anchors: where a passage is in a section's text, as the server counts it.
//
// A commentable section body carries data-anchor-root and data-section-key; its
// textContent is the text the server anchors quotes in. These functions turn a
// selection, or a sentence chosen from a list, into that anchor (offsets, quote
// and context), find a stored passage in the text again, and wrap a passage in
// highlight marks. reading.js uses them (window.workbackAnchors); load this first.
(function () {
  "use strict";

  var CONTEXT = 32; // characters of prefix and suffix kept with a quote

  // [start, end] without the whitespace at either end, or null when nothing is left.
  function trimmed(text, start, end) {
    while (start < end && /\s/.test(text.charAt(start))) start++;
    while (end > start && /\s/.test(text.charAt(end - 1))) end--;
    return end > start ? [start, end] : null;
  }

  function rootOf(node) {
    var element = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement);
    return element ? element.closest("[data-anchor-root]") : null;
  }

  // The offset of a boundary point into root.textContent: Range.toString() is the
  // concatenation of the text nodes in the range, exactly as textContent counts them.
  function offsetIn(root, container, offset) {
    var range = document.createRange();
    range.setStart(root, 0);
    range.setEnd(container, offset);
    return range.toString().length;
  }

  // The anchor of the current selection, or null when it is empty or outside the text.
  // A selection that runs past its section is clipped to the section it starts in.
  function selectionAnchor() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    var range = selection.getRangeAt(0);
    var root = rootOf(range.startContainer);
    if (!root) {
      root = rootOf(range.endContainer);
      if (!root) return null;
    }
    var text = root.textContent;
    var start = root.contains(range.startContainer)
      ? offsetIn(root, range.startContainer, range.startOffset) : 0;
    var end = root.contains(range.endContainer)
      ? offsetIn(root, range.endContainer, range.endOffset) : text.length;
    // A double click often takes the space after a word; the quote is the words.
    var words = trimmed(text, start, end);
    if (!words) return null;
    var anchor = anchorAt(root, words[0], words[1]);
    anchor.rect = range.getBoundingClientRect();
    return anchor;
  }

  // Where a comment's passage is in the text now: the stored offsets when they
  // still hold the quote, else the occurrence whose context matches best.
  function locate(text, quote, start, prefix, suffix) {
    if (!quote) return -1;
    if (start >= 0 && text.slice(start, start + quote.length) === quote) return start;
    var best = -1;
    var bestScore = -1;
    var at = text.indexOf(quote);
    while (at !== -1) {
      var score = 0;
      if (prefix && text.slice(Math.max(0, at - prefix.length), at) === prefix) score += 2;
      if (suffix && text.slice(at + quote.length, at + quote.length + suffix.length) === suffix) {
        score += 2;
      }
      if (score > bestScore) {
        best = at;
        bestScore = score;
      }
      at = text.indexOf(quote, at + 1);
    }
    return best;
  }

  // Wrap root.textContent[start:end] in <mark> elements, one per text node it crosses.
  function wrap(root, start, end, make) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var pieces = [];
    var position = 0;
    var node;
    while ((node = walker.nextNode())) {
      var length = node.data.length;
      var from = Math.max(start, position);
      var to = Math.min(end, position + length);
      if (from < to) pieces.push({ node: node, from: from - position, to: to - position });
      position += length;
      if (position >= end) break;
    }
    var marks = [];
    pieces.forEach(function (piece) {
      var target = piece.node;
      if (piece.to < target.data.length) target.splitText(piece.to);
      if (piece.from > 0) target = target.splitText(piece.from);
      // Whitespace between block elements cannot hold a mark (a <mark> in a <ul> is invalid).
      if (!target.data.trim() && target.parentElement.closest("ul, ol, table, tr, tbody, thead")) {
        return;
      }
      var mark = make();
      target.parentNode.insertBefore(mark, target);
      mark.appendChild(target);
      marks.push(mark);
    });
    return marks;
  }

  // The section's sentences, as [start, end) of its text, for choosing one by keyboard.
  function sentencesOf(root) {
    var text = root.textContent;
    var spans = [];
    if (window.Intl && Intl.Segmenter) {
      var segments = new Intl.Segmenter(document.documentElement.lang || "en", {
        granularity: "sentence",
      }).segment(text);
      for (var segment of segments) {
        spans.push([segment.index, segment.index + segment.segment.length]);
      }
    } else {
      var pattern = /[^.!?\n]+(?:[.!?]+|\n|$)/g;
      var match;
      while ((match = pattern.exec(text))) spans.push([match.index, match.index + match[0].length]);
    }
    var sentences = [];
    spans.forEach(function (span) {
      var words = trimmed(text, span[0], span[1]);
      if (words) sentences.push({ start: words[0], end: words[1] });
    });
    return sentences;
  }

  // The anchor of a section's characters start..end: what selecting them would send.
  function anchorAt(root, start, end) {
    var text = root.textContent;
    return {
      root: root,
      sectionKey: root.getAttribute("data-section-key"),
      start: start,
      end: end,
      quote: text.slice(start, end),
      prefix: text.slice(Math.max(0, start - CONTEXT), start),
      suffix: text.slice(end, end + CONTEXT),
    };
  }

  window.workbackAnchors = {
    anchorAt: anchorAt,
    locate: locate,
    selectionAnchor: selectionAnchor,
    sentencesOf: sentencesOf,
    wrap: wrap,
  };
})();
