// Check-in pages: coverage bars and the weekly chart. No inline scripts: data comes from data- attributes.
(function () {
  "use strict";

  function sizeBars(root) {
    (root || document).querySelectorAll(".progress-bar[data-width]").forEach(function (bar) {
      var width = Math.max(0, Math.min(100, parseInt(bar.dataset.width, 10) || 0));
      bar.style.width = width + "%";
    });
  }

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

  document.addEventListener("DOMContentLoaded", function () {
    sizeBars(document);
    drawChart();
  });
  // Rows swapped in by htmx after a quick log.
  document.addEventListener("htmx:afterSwap", function (event) { sizeBars(event.target); });
})();
