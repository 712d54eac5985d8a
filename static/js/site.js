// The site's only script. Everything works without it; it adds:
// - conditional reveal of a free-text box under the radio that asks for it,
// - a live character count for those boxes,
// - focus management after HTMX swaps (new heading, or the error summary),
// - form state written into attributes, so htmx's history snapshot (taken
//   from the DOM's HTML) restores the chosen answer on the back button.
(function () {
  "use strict";

  function syncReveal(radio) {
    var panel = document.getElementById(radio.getAttribute("data-reveals"));
    if (!panel) {
      return;
    }
    // No aria-expanded: radios don't support it; aria-controls names the box.
    panel.hidden = !radio.checked;
  }

  function updateCount(textarea) {
    var status = document.getElementById(textarea.getAttribute("data-count-status"));
    var max = parseInt(textarea.getAttribute("data-max-length"), 10);
    if (!status || !max) {
      return;
    }
    // Count as the server does: CRLF is one character, outer spaces don't count.
    var length = textarea.value.replace(/\r\n/g, "\n").trim().length;
    var left = max - length;
    status.textContent =
      left >= 0
        ? "You have " + left + (left === 1 ? " character" : " characters") + " remaining"
        : "You have " + -left + (left === -1 ? " character" : " characters") + " too many";
    status.classList.toggle("is-over", left < 0);
  }

  function enhance(root) {
    root.querySelectorAll("input[type=radio][data-reveals]").forEach(syncReveal);
    root.querySelectorAll("textarea[data-max-length]").forEach(updateCount);
  }

  function focusPanel(root) {
    var target =
      root.querySelector(".error-summary") || root.querySelector("h1[tabindex='-1']");
    if (target) {
      target.focus();
    }
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "radio" || !input.form) {
      return;
    }
    // Mirror the checked state into the attribute: the history snapshot is HTML.
    var group = input.form.querySelectorAll("input[type=radio]");
    group.forEach(function (radio) {
      if (radio.name === input.name) {
        radio.toggleAttribute("checked", radio === input);
        if (radio.hasAttribute("data-reveals")) {
          syncReveal(radio);
        }
      }
    });
  });

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (field instanceof HTMLTextAreaElement) {
      // The snapshot keeps a textarea's default value, not what was typed.
      field.defaultValue = field.value;
      if (field.hasAttribute("data-max-length")) {
        updateCount(field);
      }
    }
  });

  // New content from a swap or a history restore: reveal/count it.
  document.addEventListener("htmx:load", function (event) {
    enhance(event.target instanceof Element ? event.target : document);
  });

  // A swapped-in question: move focus to its heading (or the error summary),
  // as a full page load would put screen reader users at the top.
  document.addEventListener("htmx:afterSwap", function (event) {
    var panel = document.getElementById("questionnaire");
    if (panel && event.target instanceof Element && panel.contains(event.target)) {
      focusPanel(panel);
    }
  });

  enhance(document);
  // Full page load with errors: go straight to the summary.
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
})();
