/* The live desk (/{lang}/live): new releases from the live stream (GET /live, Server-Sent Events)
   at the top of the list, marked new, without a reload and without sound.

   - The page says where to start: data-last-event-id is the newest stream event when the listing
     was read, so what was published since is replayed, never lost.
   - Each event is shown once: by event id, and by release and language (a release both listed and
     replayed, or replayed after a reconnect, is updated in place, not added twice).
   - EventSource reconnects by itself after a dropped connection and sends Last-Event-ID; when it
     gives up (readyState CLOSED) or the filters change, a new one starts from the last id seen,
     passed as ?last_event_id=.
   - Corrections update the item in place; a withdrawal takes its words off the page.
   Plain JavaScript, no build step, no libraries. */
(function () {
  "use strict";
  var root = document.getElementById("live-desk");
  if (!root || !root.dataset.stream || !window.EventSource) { return; }
  var lang = root.dataset.lang;
  var languageNames = JSON.parse(root.dataset.languages || "{}");
  var status = document.getElementById("live-status");
  var announcer = document.getElementById("live-announce");
  var template = document.getElementById("live-item-template");
  var EVENTS = ["release.published", "release.corrected", "release.withdrawn"];
  var MAX_ITEMS = 200; // the page keeps this many; older ones are on the newsroom's listings
  var source = null, retryTimer = null, retryDelay = 2000, announceTimer = null, unannounced = 0;
  var lastId = root.dataset.lastEventId || "";
  var seen = new Set();
  var timeFormat = makeTimeFormat();

  function readerLocale() { // the reader's own variant of the page's language (en-GB on an English page)
    var base = lang.split("-")[0].toLowerCase();
    var wanted = navigator.languages || [navigator.language];
    for (var i = 0; base !== "zh" && i < wanted.length; i += 1) {
      if (wanted[i] && wanted[i].split("-")[0].toLowerCase() === base) { return wanted[i]; }
    }
    return lang;
  }

  function makeTimeFormat() {
    try {
      return new Intl.DateTimeFormat(readerLocale(), {year: "numeric", month: "short", day: "numeric",
                                            hour: "2-digit", minute: "2-digit", timeZoneName: "short"});
    } catch (e) { return null; }
  }

  function list() { return document.getElementById("live-list"); }

  function setStatus(state) {
    if (status.dataset.state === state) { return; }
    status.dataset.state = state;
    status.textContent = root.dataset["msg" + state.charAt(0).toUpperCase() + state.slice(1)];
    status.hidden = false;
  }

  function localTimes(scope) {
    if (!timeFormat) { return; }
    scope.querySelectorAll("time[datetime]").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (isNaN(when.getTime())) { return; }
      if (!el.title) { el.title = el.textContent; } // the server's UTC time stays on hover
      el.textContent = timeFormat.format(when);
    });
  }

  function announce() {
    unannounced += 1;
    clearTimeout(announceTimer);
    announceTimer = setTimeout(function () { // one sentence for a burst of releases
      announcer.textContent = root.dataset.msgCount.replace("{count}", String(unannounced));
      unannounced = 0;
    }, 800);
  }

  function findItem(id, language) {
    return list().querySelector('li[data-release-id="' + id + '"][data-language="' + language + '"]');
  }

  function path(url) {
    try { var u = new URL(url, location.href); return u.pathname + u.search; } catch (e) { return url; }
  }

  function fill(li, data) {
    var link = li.querySelector("h2 a");
    link.textContent = data.headline;
    link.href = path(data.url);
    link.lang = data.language;
    li.querySelector(".issuer").textContent = data.issuer ? data.issuer.name : "";
    li.querySelector(".language").textContent = languageNames[data.language] || data.language;
    var time = li.querySelector("time");
    if (data.published_at) {
      time.setAttribute("datetime", data.published_at);
      time.textContent = data.published_at;
      time.title = "";
      localTimes(li);
    }
    li.classList.toggle("is-translation", Boolean(data.translation));
  }

  function flash(li) { // restart the highlight's fade
    li.classList.remove("is-new");
    void li.offsetWidth;
    li.classList.add("is-new");
  }

  function upsert(data, corrected) {
    if (!data.headline || !data.language) { return; } // a withdrawn release's replayed events carry no words
    var li = findItem(data.id, data.language);
    if (li) {
      if (li.classList.contains("is-withdrawn")) { return; }
      fill(li, data);
      if (corrected) { li.classList.add("is-corrected"); flash(li); }
      return;
    }
    li = template.content.firstElementChild.cloneNode(true);
    li.dataset.releaseId = String(data.id);
    li.dataset.language = data.language;
    fill(li, data);
    if (corrected) { li.classList.add("is-corrected"); }
    li.classList.add("is-new");
    var ol = list();
    ol.insertBefore(li, ol.firstElementChild);
    while (ol.children.length > MAX_ITEMS) { ol.removeChild(ol.lastElementChild); }
    var empty = document.getElementById("live-empty");
    if (empty) { empty.hidden = true; }
    announce();
  }

  function withdraw(data) {
    list().querySelectorAll('li[data-release-id="' + data.id + '"]').forEach(function (li) {
      li.classList.add("is-withdrawn");
      li.classList.remove("is-translation");
      var link = li.querySelector("h2 a");
      link.textContent = root.dataset.msgWithdrawn;
      link.removeAttribute("lang");
      link.href = path(data.url);
      flash(li);
    });
  }

  function onEvent(e) {
    if (e.lastEventId) {
      if (seen.has(e.lastEventId)) { return; }
      seen.add(e.lastEventId);
      if (!lastId || Number(e.lastEventId) > Number(lastId)) { lastId = e.lastEventId; }
    }
    var data;
    try { data = JSON.parse(e.data); } catch (err) { return; }
    if (e.type === "release.withdrawn") { withdraw(data); } else { upsert(data, e.type === "release.corrected"); }
  }

  function connect() {
    clearTimeout(retryTimer);
    if (source) { source.close(); }
    var stream = root.dataset.stream;
    var url = stream + (lastId ? (stream.indexOf("?") < 0 ? "?" : "&") + "last_event_id=" + encodeURIComponent(lastId) : "");
    setStatus("connecting");
    var es = source = new EventSource(url);
    es.onopen = function () { retryDelay = 2000; setStatus("live"); };
    es.onerror = function () {
      if (es !== source) { return; }
      setStatus("reconnecting");
      if (es.readyState === EventSource.CLOSED) { // the browser gave up: start again from the last id seen
        retryTimer = setTimeout(connect, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 60000);
      }
    };
    EVENTS.forEach(function (name) { es.addEventListener(name, onEvent); });
  }

  function applyFilters(ev) { // the new filter's listing from the server, then its stream
    var form = ev.target;
    var url = form.action + "?" + new URLSearchParams(new FormData(form)).toString();
    ev.preventDefault();
    fetch(url, {headers: {Accept: "text/html"}, credentials: "same-origin"}).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.getElementById("live-desk");
      if (!fresh || !fresh.dataset.stream) { throw new Error("no stream"); }
      document.getElementById("live-results").replaceWith(document.adoptNode(doc.getElementById("live-results")));
      root.dataset.stream = fresh.dataset.stream;
      lastId = fresh.dataset.lastEventId || "";
      seen.clear();
      history.pushState({liveDesk: true}, "", url);
      localTimes(document.getElementById("live-results"));
      connect();
    }).catch(function () { location.assign(url); }); // the server's page says what is wrong, beside the field
  }

  document.getElementById("live-filters").addEventListener("submit", applyFilters);
  window.addEventListener("popstate", function () { location.reload(); });
  localTimes(list());
  connect();
}());
