/* Guide admin helpers (no inline scripts: CSP allows only files from this site).
 *
 * - Markdown text areas (data-markdown-preview) get a "Preview" button that
 *   shows the text as visitors will see it, rendered and sanitized by the server.
 * - In condition clauses and scenario answers, the answer list shows only the
 *   answers of the question picked in the same row (options carry data-question).
 */
(function () {
  "use strict";

  function csrfToken(element) {
    var form = element.closest("form");
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function addPreview(textarea) {
    if (textarea.dataset.previewReady) {
      return;
    }
    textarea.dataset.previewReady = "1";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button markdown-preview-button";
    button.textContent = "Preview";
    var output = document.createElement("div");
    output.className = "markdown-preview";
    output.setAttribute("aria-live", "polite");
    output.hidden = true;
    button.addEventListener("click", function () {
      var body = new URLSearchParams();
      body.set("text", textarea.value);
      body.set("guide", textarea.dataset.guide || "");
      fetch(textarea.dataset.markdownPreview, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(textarea) },
        body: body
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.text();
        })
        .then(function (html) {
          output.innerHTML = html; // sanitized by the server (nh3 allowlist)
          output.hidden = false;
        })
        .catch(function () {
          output.textContent = "The preview could not be loaded.";
          output.hidden = false;
        });
    });
    textarea.insertAdjacentElement("afterend", output);
    textarea.insertAdjacentElement("afterend", button);
  }

  function rowOf(element) {
    return element.closest("tr, .inline-related, fieldset") || element.form;
  }

  function filterAnswers(questionSelect) {
    var row = rowOf(questionSelect);
    if (!row) {
      return;
    }
    var picked = questionSelect.value;
    row.querySelectorAll("select.clause-choices option[data-question]").forEach(function (option) {
      option.hidden = Boolean(picked) && option.dataset.question !== picked;
    });
  }

  function enhance(root) {
    root.querySelectorAll("textarea[data-markdown-preview]").forEach(addPreview);
    root.querySelectorAll("select.clause-question").forEach(filterAnswers);
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select.clause-question")) {
      filterAnswers(event.target);
    }
  });
  // New inline rows ("Add another ...") are announced by the admin with this event.
  document.addEventListener("formset:added", function (event) {
    enhance(event.target);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      enhance(document);
    });
  } else {
    enhance(document);
  }
})();
