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

  document.addEventListener("DOMContentLoaded", drawChart);
})();
