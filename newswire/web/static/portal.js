/* The issuer portal's enhancements; every page works without them (forms post, pages reload).
   - [data-poll]: refreshed from its URL every few seconds (live delivery counts).
   - [data-load]: a link whose answer fills the element it names.
   - the compose form: a Markdown toolbar, the live preview and pre-checks (debounced POSTs with the
     form's CSRF token), the topic search as you type, region chips, the reachable target languages. */
(function () {
  "use strict";
  var POLL_MS = 4000, DEBOUNCE_MS = 600;

  function debounce(fn, ms) {
    var t = null;
    return function () { clearTimeout(t); t = setTimeout(fn, ms); };
  }

  function poll(el) {
    var url = el.getAttribute("data-poll"), last = null;
    function tick() {
      if (document.hidden) return;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html !== null && html !== last) { last = html; el.innerHTML = html; el.setAttribute("data-refreshed", String(Date.now())); }
        }).catch(function () {});
    }
    setInterval(tick, POLL_MS);
  }
  document.querySelectorAll("[data-poll]").forEach(poll);

  document.querySelectorAll("a[data-load]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      var target = document.querySelector(a.getAttribute("data-load"));
      if (!target) return;
      e.preventDefault();
      target.setAttribute("aria-busy", "true");
      fetch(a.href, { credentials: "same-origin" }).then(function (r) { return r.text(); })
        .then(function (html) { target.innerHTML = html; target.removeAttribute("aria-busy"); });
    });
  });

  var form = document.getElementById("compose");
  if (!form) return;
  document.querySelectorAll(".no-js-only").forEach(function (el) { el.hidden = true; });

  /* Markdown toolbar */
  var body = document.getElementById("f-body"), bar = document.querySelector(".toolbar");
  var MARKS = { bold: ["**", "**"], italic: ["*", "*"], link: ["[", "](https://)"], heading: ["\n## ", "\n"],
                list: ["\n- ", ""], quote: ["\n> ", ""] };
  if (bar && body) {
    bar.hidden = false;
    bar.addEventListener("click", function (e) {
      var b = e.target.closest("button[data-md]");
      if (!b) return;
      var m = MARKS[b.getAttribute("data-md")], s = body.selectionStart, t = body.selectionEnd;
      var v = body.value, picked = v.slice(s, t);
      body.value = v.slice(0, s) + m[0] + picked + m[1] + v.slice(t);
      body.focus();
      body.setSelectionRange(s + m[0].length, s + m[0].length + picked.length);
      body.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  /* live preview and pre-checks */
  var preview = document.getElementById("preview"), checks = document.getElementById("checks");
  var utc = document.getElementById("embargo-utc");
  function post(url) {
    return fetch(url, { method: "POST", credentials: "same-origin", body: new URLSearchParams(new FormData(form)) })
      .then(function (r) { return r.text(); });
  }
  function refresh() {
    post(form.getAttribute("data-preview")).then(function (html) {
      preview.innerHTML = html;
      var found = preview.querySelector("[data-utc]");
      if (utc) utc.textContent = found ? found.getAttribute("data-utc") : "";
      preview.setAttribute("data-updated", String(Date.now()));
    });
    post(form.getAttribute("data-checks")).then(function (html) {
      checks.innerHTML = html;
      checks.setAttribute("data-updated", String(Date.now()));
    });
  }
  var later = debounce(refresh, DEBOUNCE_MS);
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  var runChecks = document.getElementById("run-checks");
  if (runChecks) { runChecks.hidden = false; runChecks.addEventListener("click", refresh); }
  refresh();

  /* ad-hoc fields only for an ad-hoc disclosure */
  var type = document.getElementById("f-type"), adhoc = document.querySelector(".adhoc-fields");
  function showAdhoc() { if (adhoc && type) adhoc.hidden = type.value !== "adhoc"; }
  if (type) { type.addEventListener("change", showAdhoc); showAdhoc(); }

  /* target languages follow the release's language */
  var language = document.getElementById("f-language");
  if (language) {
    language.addEventListener("change", function () {
      var params = new URLSearchParams({ source: language.value });
      form.querySelectorAll("input[name=target_languages]:checked").forEach(function (c) { params.append("selected", c.value); });
      fetch("/portal/targets?" + params, { credentials: "same-origin" }).then(function (r) { return r.text(); })
        .then(function (html) { var old = document.getElementById("targets"); if (old) old.outerHTML = html; });
    });
  }

  /* pickers: a chosen entry becomes a checked chip */
  function addChip(picker, name, value, label) {
    var list = picker.querySelector(".chips");
    if (list.querySelector("input[value='" + value + "']")) return;
    var li = document.createElement("li"), lab = document.createElement("label"), box = document.createElement("input");
    box.type = "checkbox"; box.name = name; box.value = value; box.checked = true;
    lab.appendChild(box); lab.appendChild(document.createTextNode(" " + label));
    li.appendChild(lab); list.appendChild(li);
    form.dispatchEvent(new Event("change"));
  }
  document.querySelectorAll("[data-picker]").forEach(function (picker) {
    var name = picker.getAttribute("data-picker"), input = picker.querySelector("input[type=text]");
    var pattern = name === "industries" ? /^(.*) \((medtop:\d{8})\)$/ : /^(.*) \(([A-Z]{2})\)$/;
    input.addEventListener("change", function () {
      var m = pattern.exec(input.value.trim());
      if (m) { addChip(picker, name, m[2], m[1]); input.value = ""; }
    });
    var url = picker.getAttribute("data-search"), results = picker.querySelector(".results");
    if (!url || !results) return;
    input.removeAttribute("list");
    input.setAttribute("aria-controls", results.id || "");
    input.addEventListener("input", debounce(function () {
      var q = input.value.trim();
      if (!q) { results.hidden = true; results.innerHTML = ""; return; }
      fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin" }).then(function (r) { return r.json(); })
        .then(function (data) {
          results.innerHTML = "";
          data.items.forEach(function (t) {
            var li = document.createElement("li"), b = document.createElement("button");
            b.type = "button"; b.className = "link topic-option"; b.setAttribute("data-qcode", t.qcode);
            b.textContent = t.label + (t.parent ? " — " + t.parent : "");
            b.addEventListener("click", function () {
              addChip(picker, name, t.qcode, t.label); input.value = ""; results.hidden = true; input.focus();
            });
            li.appendChild(b); results.appendChild(li);
          });
          results.hidden = data.items.length === 0;
        });
    }, 250));
  });
})();
