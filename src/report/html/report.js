// Filters the evaluation rows by place (site, cluster, part of a node or
// group name), severity, status and code; a code field takes a code
// (20002), a family (2, 2xxxx) or part of a rule name. The tiles follow:
// a tile shows when its subject is in the place chosen and, once a
// severity, code or status other than the default is chosen, has a row
// shown. The filters live in the URL hash
// (#site=east&severity=critical&status=fail&code=2xxxx) so that a filtered
// view can be shared as a link.
(function () {
  var DEFAULT_STATUS = "problems";
  var control = function (id) { return document.getElementById("filter-" + id); };
  var site = control("site");
  var cluster = control("cluster");
  var node = control("node");
  var severity = control("severity");
  var status = control("status");
  var code = control("code");
  var shown = document.getElementById("shown-count");
  var clean = document.getElementById("clean");
  var cleanShown = document.getElementById("clean-shown");
  var bodies = document.querySelectorAll("#evaluations tbody");
  var tiles = document.querySelectorAll("a.tile");

  function codeMatches(row, text) {
    if (text === "") return true;
    var family = text.replace(/x+$/i, "");
    if (/^[0-9]+$/.test(family)) return row.dataset.code.indexOf(family) === 0;
    return row.dataset.name.indexOf(text.toLowerCase()) !== -1;
  }

  function statusMatches(row) {
    var want = status.value;
    if (want === "") return true;
    if (want === DEFAULT_STATUS) return ["fail", "unknown", "waived"].indexOf(row.dataset.status) !== -1;
    return row.dataset.status === want;
  }

  function placeMatches(body) {
    var name = node.value.trim().toLowerCase();
    return (site.value === "" || body.dataset.site === site.value) &&
      (cluster.value === "" || body.dataset.cluster === cluster.value) &&
      (name === "" || body.dataset.subject.toLowerCase().indexOf(name) !== -1);
  }

  // Rows first, then per subject: its heading, and whether its tile shows.
  function apply() {
    var count = 0;
    var text = code.value.trim();
    var rowFiltered = severity.value !== "" || text !== "" || status.value !== DEFAULT_STATUS;
    var tileShows = {};
    bodies.forEach(function (body) {
      var inPlace = placeMatches(body);
      var any = false;
      body.querySelectorAll("tr.evaluation").forEach(function (row) {
        var visible = inPlace && statusMatches(row) &&
          (severity.value === "" || row.dataset.severity === severity.value) &&
          codeMatches(row, text);
        row.hidden = !visible;
        if (visible) { count += 1; any = true; }
      });
      var heading = body.querySelector("tr.subject");
      if (heading) heading.hidden = !any;
      tileShows[body.id] = inPlace && (any || !rowFiltered);
    });
    shown.textContent = String(count);
    var cleanCount = 0;
    tiles.forEach(function (tile) {
      tile.hidden = !tileShows[tile.dataset.rows];
      if (!tile.hidden && tile.dataset.worst === "ok") cleanCount += 1;
    });
    cleanShown.textContent = String(cleanCount);
    // A name asked for is shown even when its tile is a clean one.
    if (node.value.trim() !== "" && cleanCount > 0) clean.open = true;
  }

  // A value the select does not offer would leave it blank, which reads
  // as "any": fall back to the default instead.
  function choose(select, value, fallback) {
    select.value = value;
    if (select.value !== value) select.value = fallback;
  }

  function readHash() {
    var hash = location.hash.slice(1);
    // A tile links to "#subject-3": that is a place in the page, not a filter.
    if (hash.indexOf("=") === -1 && hash !== "") return;
    var params = new URLSearchParams(hash);
    choose(site, params.get("site") || "", "");
    choose(cluster, params.get("cluster") || "", "");
    node.value = params.get("node") || "";
    choose(severity, params.get("severity") || "", "");
    choose(status, params.has("status") ? params.get("status") : DEFAULT_STATUS, DEFAULT_STATUS);
    code.value = params.get("code") || "";
    apply();
  }

  function writeHash() {
    var params = new URLSearchParams();
    [["site", site], ["cluster", cluster], ["node", node], ["severity", severity]].forEach(function (pair) {
      if (pair[1].value.trim() !== "") params.set(pair[0], pair[1].value.trim());
    });
    if (status.value !== DEFAULT_STATUS) params.set("status", status.value);
    if (code.value.trim() !== "") params.set("code", code.value.trim());
    var hash = params.toString();
    // replaceState: filtering should not fill the back button's history.
    history.replaceState(null, "", hash === "" ? location.pathname + location.search : "#" + hash);
  }

  function onControlChange() {
    apply();
    writeHash();
  }

  [site, cluster, severity, status].forEach(function (c) { c.addEventListener("change", onControlChange); });
  [node, code].forEach(function (c) { c.addEventListener("input", onControlChange); });
  window.addEventListener("hashchange", readHash);
  apply();
  readHash();
})();
