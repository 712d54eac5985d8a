// The guide page's "Copy the embed code" button: a file of its own, the admin's CSP allows no inline script.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-from]");
    if (!button) return;
    var source = document.getElementById(button.dataset.copyFrom);
    var status = document.getElementById(button.dataset.copiedInto);
    var done = function (words) { if (status) status.textContent = words; };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(source.value).then(
        function () { done("Copied."); },
        function () { source.select(); done("Select the code above and copy it."); }
      );
    } else {
      source.select();
      done("Select the code above and copy it.");
    }
  });
})();
