// Filters the evaluation rows by severity, status and code; a code field
// takes a code (20002), a family (2, 2xxxx) or part of a rule name.
(function () {
  var severity = document.getElementById("filter-severity");
  var status = document.getElementById("filter-status");
  var code = document.getElementById("filter-code");
  var shown = document.getElementById("shown-count");
  var rows = document.querySelectorAll("tr.evaluation");

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
        (wantStatus === "problems"
          ? ["fail", "unknown", "waived"].indexOf(row.dataset.status) !== -1
          : row.dataset.status === wantStatus);
      var visible = statusOk &&
        (severity.value === "" || row.dataset.severity === severity.value) &&
        codeMatches(row, text);
      row.hidden = !visible;
      if (visible) count += 1;
    });
    shown.textContent = String(count);
  }

  severity.addEventListener("change", apply);
  status.addEventListener("change", apply);
  code.addEventListener("input", apply);
  apply();
})();
