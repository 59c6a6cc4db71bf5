// The register page: a search box narrows the list of people to tick. Without JavaScript every
// name is listed and the box is hidden; nothing ticked is ever lost by searching.
(function () {
  "use strict";
  var box = document.getElementById("register-search");
  var list = document.getElementById("register-people");
  if (!box || !list) { return; }
  box.hidden = false;
  box.parentElement.hidden = false;
  var count = document.getElementById("register-count");
  function ticked() {
    var n = list.querySelectorAll("input[type=checkbox]:checked").length;
    if (count) { count.textContent = count.dataset.template.replace("0", String(n)); }
  }
  box.addEventListener("input", function () {
    var q = box.value.trim().toLowerCase();
    list.querySelectorAll("li").forEach(function (item) {
      item.hidden = q !== "" && item.textContent.toLowerCase().indexOf(q) === -1;
    });
  });
  list.addEventListener("change", ticked);
  ticked();
})();
