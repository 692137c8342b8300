// Behaviour kept out of the templates so that the Content-Security-Policy can forbid inline scripts.
// Every page loads this file once (base.html), so each behaviour here is bound exactly once.

// Progress bars carry their width in data-width (a style attribute would need an unsafe CSP).
function sizeBars(root) {
  root.querySelectorAll(".progress-bar[data-width]").forEach(function (bar) {
    var width = Math.max(0, Math.min(100, parseInt(bar.dataset.width, 10) || 0));
    bar.style.width = width + "%";
  });
}

// Rows swapped in by htmx (the call list's quick log) bring their own bars.
document.addEventListener("htmx:afterSwap", function (event) { sizeBars(event.target); });

document.addEventListener("DOMContentLoaded", function () {
  sizeBars(document);
  // Selects marked data-autosubmit submit their form on change (the call list's branch).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // Buttons marked data-print open the print dialog.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // A picker's search box (core.widgets.SearchPicker) searches on Enter rather than sending its form.
  document.querySelectorAll("[data-search-picker] input[type=search]").forEach(function (box) {
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        box.dispatchEvent(new Event("search"));
      }
    });
  });
  // Whom a form is for (core.addressing.AddressedForm): "all branches" and the branches, areas
  // and people chosen exclude each other, so ticking one clears the other (the server checks too).
  document.querySelectorAll("[data-audience]").forEach(function (group) {
    var everybody = group.querySelector("input[name=all_branches]");
    if (!everybody) { return; }
    group.addEventListener("change", function (event) {
      var box = event.target;
      if (box === everybody && everybody.checked) {
        group.querySelectorAll("input[type=checkbox]:checked").forEach(function (other) {
          if (other !== everybody) { other.checked = false; }
        });
      } else if (box !== everybody && box.type === "checkbox" && box.checked) {
        everybody.checked = false;
      }
    });
  });
  // Formset "add another" buttons clone the empty form template.
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    button.addEventListener("click", function () {
      var prefix = button.dataset.formsetAdd;
      var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
      var template = document.getElementById(prefix + "-empty-form");
      var container = document.getElementById(prefix + "-forms");
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      container.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
    });
  });
});
