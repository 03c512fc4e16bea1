// Shows the ratios as the figures are typed on the status-data page. The server computes
// the same ratios on save (and is the one that counts); without this script nothing is lost.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var inputs = document.querySelectorAll("input.figure-input");
  var cells = document.querySelectorAll("td.ratio[data-numerator]");
  if (!inputs.length || !cells.length) { return; }
  function value(code) {
    var input = document.getElementById("f_" + code);
    if (!input) { return null; }
    var raw = input.value.replace(/[,\s，%]/g, "");
    if (raw === "") { return null; }
    var n = Number(raw);
    return isFinite(n) ? n : null;
  }
  function show(n, decimals) {
    return n.toLocaleString(document.documentElement.lang || undefined, {
      maximumFractionDigits: decimals, minimumFractionDigits: 0
    });
  }
  function update() {
    cells.forEach(function (cell) {
      var top = value(cell.dataset.numerator), bottom = value(cell.dataset.denominator);
      if (top === null || bottom === null || bottom <= 0) { cell.textContent = ""; return; }
      var ratio = top / bottom * Number(cell.dataset.scale || 1);
      var unit = cell.dataset.unit || "";
      var text = show(ratio, Number(cell.dataset.decimals || 2));
      cell.textContent = unit === "%" ? text + "%" : (unit ? text + " " + unit : text);
    });
  }
  inputs.forEach(function (input) { input.addEventListener("input", update); });
});
