// A stored result's permalink page. Everything works without it; it adds:
// - a "Copy link" button for the result's address, with a visible confirmation,
// - selecting the whole address when the box is clicked, ready to copy by hand.
(function () {
  "use strict";

  function copyText(input) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(input.value);
    }
    // Older browsers, or plain http: copy the selected text of the box.
    return new Promise(function (resolve, reject) {
      input.focus();
      input.select();
      try {
        if (document.execCommand("copy")) {
          resolve();
        } else {
          reject(new Error("copy refused"));
        }
      } catch (error) {
        reject(error);
      }
    });
  }

  function say(status, message) {
    // Empty first, so a screen reader announces the same message again.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!source || !status) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      copyText(source).then(
        function () {
          say(status, button.getAttribute("data-copied") || "Link copied");
        },
        function () {
          source.focus();
          source.select();
          say(
            status,
            button.getAttribute("data-copy-failed") ||
              "Copying did not work here: the link is selected, so copy it with your keyboard"
          );
        }
      );
    });
  });

  document.querySelectorAll("input[data-select-all]").forEach(function (input) {
    input.addEventListener("focus", function () {
      input.select();
    });
  });
})();
