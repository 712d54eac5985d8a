// Inside a publisher's frame: tell the host page our height (static/embed-host.js sets it)
// after load, every HTMX swap and any resize. The height is no secret, so any parent may read it.
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = 0;
  function post() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ decisionguideHeight: height }, "*");
  }
  window.addEventListener("load", post);
  document.addEventListener("htmx:afterSwap", post);
  if ("ResizeObserver" in window) new ResizeObserver(post).observe(document.documentElement);
})();
