// Keyboard niceties and suggestions as you type for the search page;
// everything works without them (the search box is a plain form).
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
  if (box && box.form && box.getAttribute("data-suggest") && window.fetch) { combobox(box); }

  // An ARIA 1.2 combobox (input + listbox, aria-activedescendant): suggestions
  // from /api/suggest as the user types.  The list stays as it is until new
  // suggestions arrive (no flicker); choosing one puts its characters in the
  // box and searches, so pinyin typed never widens a search by itself.
  function combobox(input) {
    var KINDS = {person: "人物", place: "地点", org: "机构", term: "术语", word: "词语", headline: "标题"};
    var DELAY_MS = 120;
    var url = input.getAttribute("data-suggest");
    var list = document.createElement("ul");
    list.id = "q-suggestions";
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "搜索建议");
    list.hidden = true;
    input.form.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    var items = [], active = -1, timer = 0, asked = 0, shownFor = null;

    function setOpen(open) {
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      if (!open) { setActive(-1); }
    }
    function setActive(k) {
      var options = list.children;
      if (active >= 0 && options[active]) { options[active].setAttribute("aria-selected", "false"); }
      active = k;
      if (k >= 0 && options[k]) {
        options[k].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[k].id);
        options[k].scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function render(suggestions) {
      items = suggestions;
      active = -1;
      input.removeAttribute("aria-activedescendant");
      var fragment = document.createDocumentFragment();
      suggestions.forEach(function (s, k) {
        var li = document.createElement("li");
        li.id = "q-suggestion-" + k;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var text = document.createElement("span");
        text.className = "text";
        text.textContent = s.text;
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = (KINDS[s.kind] || s.kind) + (s.kind === "headline" ? "" : " · " + s.count + " 篇");
        li.appendChild(text);
        li.appendChild(kind);
        // mousedown, not click: the input keeps its focus
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(k); });
        fragment.appendChild(li);
      });
      list.replaceChildren(fragment);
      setOpen(suggestions.length > 0);
    }
    function choose(k) {
      input.value = items[k].text;
      setOpen(false);
      input.form.submit();
    }
    function ask() {
      var q = input.value.trim();
      if (!q) { shownFor = null; setOpen(false); return; }
      if (q === shownFor) { setOpen(items.length > 0); return; }
      var mine = ++asked;
      fetch(url + "?q=" + encodeURIComponent(q) + "&limit=8", {headers: {Accept: "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (mine !== asked || !data || input.value.trim() !== q) { return; }  // a newer request is coming
          shownFor = q;
          render(data.suggestions || []);
        })
        .catch(function () { /* no suggestions: the plain search box still works */ });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!open) {
          if (items.length && input.value.trim() === shownFor) { setOpen(true); } else { ask(); }
          return;
        }
        var n = items.length, step = event.key === "ArrowDown" ? 1 : -1;
        setActive(active < 0 ? (step > 0 ? 0 : n - 1) : (active + step + n) % n);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();  // keeps the typed text (a search box would clear it)
        setOpen(false);
      } else if (event.key === "Tab") {
        setOpen(false);
      }
    });
    input.addEventListener("blur", function () { setOpen(false); });
  }
})();
