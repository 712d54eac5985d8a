// The site's only script. Everything works without it; it adds:
// - conditional reveal of a free-text box under the radio that asks for it,
// - a live character count for those boxes,
// - focus management after HTMX swaps (new heading, or the error summary),
// - form state written into attributes, so htmx's history snapshot (taken
//   from the DOM's HTML) restores the chosen answer on the back button,
// - the visit's answers kept across the browser's Back and Refresh (below).
(function () {
  "use strict";

  // Each questionnaire URL holds the answers given before its page was first
  // shown, so an older history entry lacks the later ones. The visit's answers
  // (those of the last questionnaire page reached going forward) are kept in
  // sessionStorage: this tab only, gone with it, never in a cookie. When Back,
  // Forward or Refresh shows a question page whose URL holds other answers, the
  // page is asked for again with the kept ones: the server shows the choice
  // made, carries the later answers in its form and drops irrelevant ones.
  var NOT_ANSWERS = ["return", "preview"]; // RESERVED_QUESTION_SLUGS in decision/document.py

  function answersHere() {
    var params = new URLSearchParams(location.search);
    NOT_ANSWERS.forEach(function (name) {
      params.delete(name);
    });
    return params;
  }

  // Read the visit's answers, or write them (one visit per guide, a draft preview apart).
  function kept(answers) {
    var guide = location.pathname.split("/").slice(0, 3).join("/"); // "/guides/<slug>"
    var draft = new URLSearchParams(location.search).has("preview") ? ":draft" : "";
    var key = "decisionguide-answers:" + guide + draft;
    try {
      return answers === undefined ? sessionStorage.getItem(key) : sessionStorage.setItem(key, answers);
    } catch (error) {
      return null; // storage switched off: Back works as it does without the script
    }
  }

  function remember() {
    if (document.getElementById("questionnaire")) {
      kept(answersHere().toString());
    }
  }

  function restore() {
    var panel = document.getElementById("questionnaire");
    var path = panel && panel.getAttribute("data-restore");
    var saved = kept();
    if (!saved) {
      remember();
      return;
    }
    var wanted = new URLSearchParams(saved);
    var here = answersHere();
    wanted.sort();
    here.sort();
    if (!path || !window.htmx || wanted.toString() === here.toString()) {
      return;
    }
    new URLSearchParams(location.search).forEach(function (value, name) {
      if (NOT_ANSWERS.indexOf(name) !== -1) {
        wanted.append(name, value); // "Back" to the check page, a draft preview
      }
    });
    var url = path + "?" + wanted.toString();
    var from = location.href;
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok
          ? response.text().then(function (html) {
              // The kept answers may lead elsewhere (a question they hide): the server says where.
              return { html: html, url: response.headers.get("HX-Push-Url") || url };
            })
          : null;
      })
      .then(function (page) {
        // Gone on meanwhile: leave the page the visitor is on alone.
        if (page && location.href === from && document.getElementById("questionnaire") === panel) {
          // Replace, not push: this is still the history entry the visitor went back to.
          history.replaceState(history.state, "", page.url);
          window.htmx.swap(panel, page.html, { swapStyle: "outerHTML" });
          remember();
        }
      })
      .catch(function () {}); // offline: the page as it came still works
  }

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
    // The sentences come translated from the page (layout/textarea.html), one per plural
    // category the page's language uses ("one", "other"), {count} standing for the number.
    var count = Math.abs(left);
    var form = new Intl.PluralRules(document.documentElement.lang || "en").select(count);
    var name = (left >= 0 ? "data-left-" : "data-over-") + (form === "one" ? "one" : "other");
    status.textContent = (status.getAttribute(name) || "").replace("{count}", count);
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

  // Going forward (a form sent, a link followed): this page's answers are the visit's now.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail && event.detail.xhr) {
      remember();
    }
  });

  // Back or Forward between the panels htmx swapped in.
  document.addEventListener("htmx:historyRestore", restore);

  // The language switcher links to the page it was rendered with; once htmx has swapped in
  // another step and put its URL in the address bar, point each link at that step instead
  // (the same path under the language's prefix, the default language without one).
  function followSwitcher() {
    var nav = document.querySelector(".language-switcher");
    var fallback = nav && nav.querySelector("a[data-default]");
    if (!fallback) {
      return;
    }
    var base = fallback.getAttribute("hreflang");
    var current = document.documentElement.lang;
    var path = window.location.pathname;
    if (current !== base && path.indexOf("/" + current + "/") === 0) {
      path = path.slice(current.length + 1);
    }
    nav.querySelectorAll("a[hreflang]").forEach(function (link) {
      var code = link.getAttribute("hreflang");
      var url = new URL(link.href);
      url.pathname = code === base ? path : "/" + code + path;
      url.search = window.location.search;
      link.href = url.href;
    });
  }
  document.addEventListener("htmx:pushedIntoHistory", followSwitcher);
  document.addEventListener("htmx:historyRestore", followSwitcher);

  // A whole page: shown by Back, Forward or Refresh (or from the back-forward cache),
  // or reached going forward.
  window.addEventListener("pageshow", function (event) {
    var navigation = performance.getEntriesByType("navigation")[0];
    if (event.persisted || (navigation && navigation.type !== "navigate")) {
      restore();
    } else {
      remember();
    }
  });

  enhance(document);
  // Full page load with errors: go straight to the summary.
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
})();
