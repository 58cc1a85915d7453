// The comparison page: with a script, hovering or focusing a row of the table highlights the
// same period on the chart. The chart, the table and the CSV work without it.
(function () {
  "use strict";

  function start() {
    const rows = document.querySelectorAll(".compare-table tbody tr");
    rows.forEach(function (row) {
      function mark(on) {
        const from = row.dataset.from;
        document.querySelectorAll('.line-chart .point[data-from="' + from + '"]').forEach(function (point) {
          point.classList.toggle("is-current", on);
        });
      }
      row.addEventListener("mouseenter", function () { mark(true); });
      row.addEventListener("mouseleave", function () { mark(false); });
      row.addEventListener("focusin", function () { mark(true); });
      row.addEventListener("focusout", function () { mark(false); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
