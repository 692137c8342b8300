// Check-in pages: the weekly chart. No inline scripts: data comes from data- attributes.
// The coverage bars are sized by app.js, as on every page.
(function () {
  "use strict";

  function drawChart() {
    var canvas = document.getElementById("coverage-chart");
    if (!canvas || typeof window.Chart === "undefined") return;
    var data = JSON.parse(canvas.dataset.chart);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: data.label, data: data.percent, backgroundColor: "rgba(25, 135, 84, 0.75)" }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true, suggestedMax: 100, ticks: { callback: function (v) { return v + "%"; } } } },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (item) { return item.parsed.y + "% (" + data.reached[item.dataIndex] + ")"; },
            },
          },
        },
      },
    });
  }

  // A one-tap log replaces its call-list row (hx-swap outerHTML): the tapped button is gone, so
  // keep the keyboard and screen-reader focus on the row that replaced it, not the page's top.
  var swappedRow = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    swappedRow = target && target.classList && target.classList.contains("call-row") ? target.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!swappedRow) return;
    var row = document.getElementById(swappedRow);
    swappedRow = null;
    if (row) row.focus({ preventScroll: true });
  });

  document.addEventListener("DOMContentLoaded", drawChart);
})();
