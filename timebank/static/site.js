// Every page: registers the service worker (the offline page). A file, not an inline script, so the
// Content-Security-Policy allows scripts from this site only. Its URL comes from the script tag.
(function () {
  "use strict";
  var worker = document.currentScript && document.currentScript.dataset.serviceWorker;
  if (worker && "serviceWorker" in navigator) { navigator.serviceWorker.register(worker); }
})();
