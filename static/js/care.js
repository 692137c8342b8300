// Care pages: progress bars and the print button. No inline scripts: data comes from data- attributes.
(function () {
  "use strict";

  function sizeBars(root) {
    (root || document).querySelectorAll(".care-progress .progress-bar[data-width]").forEach(function (bar) {
      var width = Math.max(0, Math.min(100, parseInt(bar.dataset.width, 10) || 0));
      bar.style.width = width + "%";
    });
  }

  function wirePrint() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    sizeBars();
    wirePrint();
  });
})();
