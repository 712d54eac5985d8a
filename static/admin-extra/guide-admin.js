/* Guide admin helpers (no inline scripts: CSP allows only files from this site).
 *
 * - Markdown text areas (data-markdown-preview) get a "Preview" button that
 *   shows the text as visitors will see it, rendered and sanitized by the server.
 * - In condition clauses and scenario answers, the answer list shows only the
 *   answers of the question picked in the same row (options and groups of tick
 *   boxes carry data-question).
 * - Rows of ordered inlines (editor/admin_ordering.py) move with their Move up
 *   and Move down buttons, as django-admin-sortable2 moves them by drag: the
 *   hidden place fields are numbered 1, 2, 3, ... and the move is announced.
 * - A list row dragged by django-admin-sortable2 is saved by its script, which
 *   says nothing either way: the list reloads (new draft version, the message)
 *   or shows why the server refused.
 * - A new ordered row's slug follows its label (or name) as it is typed, as
 *   the admin does for rows of its own layout: its script looks for the source
 *   field inside a ".form-row", which our rows don't have.
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
    // The words come from the page, in the editor's language (editor/admin_support.py).
    button.textContent = textarea.dataset.previewLabel;
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
          output.textContent = textarea.dataset.previewFailed;
          output.hidden = false;
        });
    });
    textarea.insertAdjacentElement("afterend", output);
    textarea.insertAdjacentElement("afterend", button);
  }

  function rowOf(element) {
    return element.closest("tr, .inline-related, fieldset") || element.form;
  }

  function filterAnswers(questionSelect, changed) {
    var row = rowOf(questionSelect);
    if (!row) {
      return;
    }
    var picked = questionSelect.value;
    row.querySelectorAll("select.clause-choices option[data-question]").forEach(function (option) {
      option.hidden = Boolean(picked) && option.dataset.question !== picked;
    });
    row.querySelectorAll(".answer-group[data-question]").forEach(function (group) {
      var other = group.dataset.question !== picked;
      group.hidden = other;
      if (other && changed) {
        // Answers of another question would only be refused on save.
        group.querySelectorAll("input[type=checkbox]").forEach(function (box) {
          box.checked = false;
        });
      }
    });
  }

  // Says `kind` (data-first, data-last or data-moved of the status line, translated by
  // edit_inline/ordered.html) with {name}, {place} and {count} filled in.
  function announce(container, kind, values) {
    var status = container.querySelector("[data-ordered-status]");
    if (status) {
      status.textContent = (status.dataset[kind] || "").replace(/\{(\w+)\}/g, function (whole, key) {
        return key in values ? String(values[key]) : whole;
      });
    }
  }

  function moveRow(button) {
    var row = button.closest(".inline-related.has_original");
    var list = row && row.parentNode;
    if (!list) {
      return;
    }
    var rows = Array.prototype.filter.call(list.children, function (child) {
      return child.matches(".inline-related.has_original");
    });
    var index = rows.indexOf(row);
    var up = button.dataset.move === "up";
    var other = rows[up ? index - 1 : index + 1];
    var name = row.querySelector(".inline_label").firstChild.textContent.trim();
    if (!other) {
      announce(list, up ? "first" : "last", { name: name });
      return;
    }
    other.insertAdjacentElement(up ? "beforebegin" : "afterend", row);
    rows = Array.prototype.filter.call(list.children, function (child) {
      return child.matches(".inline-related.has_original");
    });
    rows.forEach(function (each, place) {
      var input = each.querySelector("input._reorder_");
      if (input) {
        input.value = String(place + 1);
      }
    });
    button.focus();
    announce(list, "moved", {
      name: name,
      place: rows.indexOf(row) + 1,
      count: rows.length
    });
  }

  // A sortable list's words, in the editor's language, on its drag handles (admin_ordering.py).
  function listWords(key) {
    var handle = document.querySelector(".drag.handle[data-reload]");
    return handle ? handle.dataset[key] : "";
  }

  function showListProblem(text) {
    var box = document.getElementById("sortable-problem");
    if (!box) {
      box = document.createElement("div");
      box.id = "sortable-problem";
      box.className = "stale-draft";
      box.setAttribute("role", "alert");
      var content = document.getElementById("content-main") || document.body;
      content.insertAdjacentElement("afterbegin", box);
    }
    box.textContent = "";
    text.split("\n").forEach(function (line) {
      var paragraph = document.createElement("p");
      paragraph.textContent = line;
      box.appendChild(paragraph);
    });
    var reload = document.createElement("a");
    reload.href = window.location.href;
    reload.textContent = listWords("reload");
    box.appendChild(reload);
  }

  function watchListSaves() {
    if (!document.getElementById("admin_sortable2_config") || !window.fetch) {
      return;
    }
    var send = window.fetch.bind(window);
    var never = function () {
      // This script has answered (reload or message): sortable2 has nothing left to do.
      return new Promise(function () {});
    };
    window.fetch = function (url, options) {
      var sent = send(url, options);
      if (String(url).indexOf("adminsortable2_update/") === -1) {
        return sent;
      }
      return sent.then(
        function (response) {
          if (response.ok) {
            window.location.reload();
          } else {
            response.text().then(showListProblem);
          }
          return never();
        },
        function () {
          showListProblem(listWords("noAnswer"));
          return never();
        }
      );
    };
  }

  function enhance(root) {
    root.querySelectorAll(".ordered-moves[hidden]").forEach(function (moves) {
      moves.hidden = false;
    });
    root.querySelectorAll("textarea[data-markdown-preview]").forEach(addPreview);
    root.querySelectorAll("select.clause-question").forEach(filterAnswers);
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select.clause-question")) {
      filterAnswers(event.target, true);
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".ordered-moves button[data-move]");
    if (button) {
      moveRow(button);
    }
  });
  function prepopulate(row) {
    var $ = window.django && window.django.jQuery;
    if (!$ || !$.fn.prepopulate || !row.classList.contains("ordered-row")) {
      return;
    }
    $(row).find(".prepopulated_field").each(function () {
      var input = $(this).find("input");
      var sources = (input.data("dependency_list") || []).map(function (name) {
        return "#" + $(row).find(".field-" + name + " input, .field-" + name + " textarea").attr("id");
      });
      if (sources.length && sources.indexOf("#undefined") === -1) {
        input.prepopulate(sources, input.attr("maxlength"));
      }
    });
  }
  // New inline rows ("Add another ...") are announced by the admin with this event.
  document.addEventListener("formset:added", function (event) {
    enhance(event.target);
    prepopulate(event.target);
  });
  function start() {
    enhance(document);
    watchListSaves(); // sortable2's config comes after this script in the page's head
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
