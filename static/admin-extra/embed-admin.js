// The guide page's "Copy the embed code" button: a file of its own, the admin's CSP allows no inline script.
// Its words come from the button's data-copied-words and data-select-words (translated by the template).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-from]");
    if (!button) return;
    var source = document.getElementById(button.dataset.copyFrom);
    var status = document.getElementById(button.dataset.copiedInto);
    var copied = button.dataset.copiedWords || "";
    var selectIt = button.dataset.selectWords || "";
    var done = function (words) { if (status) status.textContent = words; };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(source.value).then(
        function () { done(copied); },
        function () { source.select(); done(selectIt); }
      );
    } else {
      source.select();
      done(selectIt);
    }
  });
})();
