// Filters the evaluation rows by severity, status and code; a code field
// takes a code (20002), a family (2, 2xxxx) or part of a rule name. The
// filters live in the URL hash (#severity=critical&status=fail&code=2xxxx)
// so that a filtered view can be shared as a link.
(function () {
  var severity = document.getElementById("filter-severity");
  var status = document.getElementById("filter-status");
  var code = document.getElementById("filter-code");
  var shown = document.getElementById("shown-count");
  var rows = document.querySelectorAll("tr.evaluation");
  var DEFAULT_STATUS = "problems";

  function codeMatches(row, text) {
    if (text === "") return true;
    var family = text.replace(/x+$/i, "");
    if (/^[0-9]+$/.test(family)) return row.dataset.code.indexOf(family) === 0;
    return row.dataset.name.indexOf(text.toLowerCase()) !== -1;
  }

  function apply() {
    var count = 0;
    var wantStatus = status.value;
    var text = code.value.trim();
    rows.forEach(function (row) {
      var statusOk = wantStatus === "" ||
        (wantStatus === DEFAULT_STATUS
          ? ["fail", "unknown", "waived"].indexOf(row.dataset.status) !== -1
          : row.dataset.status === wantStatus);
      var visible = statusOk &&
        (severity.value === "" || row.dataset.severity === severity.value) &&
        codeMatches(row, text);
      row.hidden = !visible;
      if (visible) count += 1;
    });
    // A subject's heading shows only above rows that show.
    document.querySelectorAll("#evaluations tbody").forEach(function (body) {
      var heading = body.querySelector("tr.subject");
      if (heading) heading.hidden = !body.querySelector("tr.evaluation:not([hidden])");
    });
    shown.textContent = String(count);
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
    choose(severity, params.get("severity") || "", "");
    choose(status, params.has("status") ? params.get("status") : DEFAULT_STATUS, DEFAULT_STATUS);
    code.value = params.get("code") || "";
    apply();
  }

  function writeHash() {
    var params = new URLSearchParams();
    if (severity.value !== "") params.set("severity", severity.value);
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

  severity.addEventListener("change", onControlChange);
  status.addEventListener("change", onControlChange);
  code.addEventListener("input", onControlChange);
  window.addEventListener("hashchange", readHash);
  apply();
  readHash();
})();
