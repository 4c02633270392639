// Subscriber pages: a search-as-you-type picker over a long <select multiple> (Media Topics,
// regions), the select staying the form's field, so the page works the same without JavaScript;
// and, on sign-up, the browser's time zone preselected. No libraries.
(function () {
  "use strict";
  var fold = function (s) { return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); };
  var count = 0;

  function enhance(box) {
    var select = box.querySelector("select[multiple]");
    var label = box.querySelector("label");
    var hint = box.querySelector(".hint");
    if (!select) { return; }
    var n = ++count, id = "picker-" + n;
    var options = Array.prototype.slice.call(select.options);
    var chips = document.createElement("ul");
    chips.className = "chips";
    chips.setAttribute("aria-label", box.dataset.chosen + ": " + label.textContent);
    var combo = document.createElement("div");
    combo.className = "combo";
    var input = document.createElement("input");
    input.type = "search"; input.id = id; input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id + "-list");
    input.setAttribute("aria-describedby", select.getAttribute("aria-describedby") || "");
    input.placeholder = box.dataset.search;
    var list = document.createElement("ul");
    list.id = id + "-list"; list.hidden = true;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", label.textContent);
    var status = document.createElement("p");
    status.className = "visually-hidden"; status.setAttribute("role", "status");
    combo.appendChild(input); combo.appendChild(list);
    if (hint) { hint.textContent = box.dataset.hint; }
    select.hidden = true;
    select.removeAttribute("id");
    label.htmlFor = id;
    box.appendChild(chips); box.appendChild(combo); box.appendChild(status);
    var shown = [], active = -1;

    function drawChips() {
      chips.textContent = "";
      options.forEach(function (o) {
        if (!o.selected) { return; }
        var li = document.createElement("li");
        li.appendChild(document.createTextNode(o.text));
        var b = document.createElement("button");
        b.type = "button"; b.textContent = "×";
        b.setAttribute("aria-label", box.dataset.remove + ": " + o.text);
        b.addEventListener("click", function () { o.selected = false; drawChips(); search(); input.focus(); });
        li.appendChild(b); chips.appendChild(li);
      });
    }
    function mark() {
      Array.prototype.forEach.call(list.children, function (li, i) { li.setAttribute("aria-selected", i === active ? "true" : "false"); });
      if (active >= 0 && list.children[active]) {
        input.setAttribute("aria-activedescendant", list.children[active].id);
        list.children[active].scrollIntoView({block: "nearest"});
      } else { input.removeAttribute("aria-activedescendant"); }
    }
    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; mark(); }
    function search() {
      var q = fold(input.value.trim());
      list.textContent = ""; active = -1;
      if (!q) { close(); status.textContent = ""; return; }
      shown = options.filter(function (o) { return fold(o.text).indexOf(q) !== -1; }).slice(0, 40);
      shown.forEach(function (o, i) {
        var li = document.createElement("li");
        li.id = id + "-opt-" + i; li.setAttribute("role", "option"); li.textContent = o.text;
        if (o.selected) { li.className = "chosen"; }
        li.addEventListener("mousedown", function (e) { e.preventDefault(); toggle(i); });
        list.appendChild(li);
      });
      list.hidden = false; input.setAttribute("aria-expanded", "true");
      status.textContent = shown.length ? box.dataset.matches.replace("{n}", shown.length) : box.dataset.none;
      mark();
    }
    function toggle(i) {
      var o = shown[i];
      if (!o) { return; }
      o.selected = !o.selected;
      drawChips(); input.value = ""; close(); input.focus();
    }
    input.addEventListener("input", search);
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); if (list.hidden) { search(); } active = Math.min(active + 1, shown.length - 1); mark(); }
      else if (e.key === "ArrowUp") { e.preventDefault(); active = Math.max(active - 1, 0); mark(); }
      else if (e.key === "Enter") { if (!list.hidden && active >= 0) { e.preventDefault(); toggle(active); } else if (!list.hidden) { e.preventDefault(); } }
      else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", close);
    drawChips();
  }

  function guessZone() {
    var select = document.querySelector("select[data-guess]");
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!select || !zone) { return; }
    Array.prototype.forEach.call(select.options, function (o) { if (o.value === zone) { o.selected = true; } });
  }

  document.querySelectorAll("[data-picker]").forEach(enhance);
  guessZone();
}());
