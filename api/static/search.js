// Keyboard niceties for the search page; everything works without them.
(function () {
  "use strict";
  var box = document.getElementById("q");
  document.addEventListener("keydown", function (event) {
    var tag = (event.target && event.target.tagName) || "";
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !/^(INPUT|TEXTAREA|SELECT)$/.test(tag)) {
      event.preventDefault();
      if (box) { box.focus(); box.select(); }
    }
  });
  // Changing the sort applies it at once.
  var sort = document.querySelector(".dates select[name=sort]");
  if (sort) { sort.addEventListener("change", function () { sort.form.submit(); }); }
})();
