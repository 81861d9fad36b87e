// The use-case form, step by step: what a civil servant types is never lost without a word.
// Without JavaScript the form still works: the server checks the limits, and saving gives new
// empty rows. No inline script (Content-Security-Policy).
(function () {
  "use strict";
  var form = document.querySelector("form.usecase-form");
  if (!form) return;

  // Live counters instead of maxlength, which cuts what is typed or pasted silently.
  function counter(field) {
    var limit = parseInt(field.getAttribute("data-maxlength"), 10);
    var output = document.createElement("small");
    output.className = "counter";
    output.id = field.id + "-count";
    output.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", output);
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", (described ? described + " " : "") + output.id);
    function update() {
      var length = field.value.trim().length;  // as the server counts it
      var over = length > limit;
      var text = length + " / " + limit + " caractères";
      if (over) text += " : " + (length - limit) + " de trop, raccourcissez avant d'enregistrer";
      else if (length === limit) text += " : limite atteinte";
      output.textContent = text;
      output.classList.toggle("over", over);
      output.classList.toggle("full", length === limit);
    }
    field.addEventListener("input", update);
    update();
  }
  form.querySelectorAll("[data-maxlength]").forEach(counter);

  // « Ajouter une ligne »: a copy of the formset's empty row, numbered after the last one.
  form.querySelectorAll("fieldset.formset").forEach(function (fieldset) {
    var prefix = fieldset.getAttribute("data-formset");
    var max = parseInt(fieldset.getAttribute("data-max"), 10);
    var total = form.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    var template = fieldset.querySelector("template");
    var button = fieldset.querySelector("button.add-row");
    var rows = fieldset.querySelector(".rows");
    if (!total || !template || !button || !rows) return;
    button.hidden = false;
    function refresh() {
      button.disabled = parseInt(total.value, 10) >= max;
    }
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (index >= max) return;
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var added = rows.lastElementChild;
      added.querySelectorAll("[data-maxlength]").forEach(counter);
      var first = added.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
      refresh();
    });
    refresh();
  });

  // Long lists of checkboxes (domains, tools, partner collectivités): a filter box, accents and
  // case ignored; a checked box always stays visible.
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  form.querySelectorAll("input[data-filter-for]").forEach(function (input) {
    var fieldset = input.closest("fieldset");
    input.closest("label").hidden = false;
    var labels = fieldset.querySelectorAll(".choices label");
    input.addEventListener("input", function () {
      var wanted = fold(input.value.trim());
      labels.forEach(function (label) {
        var box = label.querySelector("input");
        label.hidden = wanted !== "" && !(box && box.checked) && fold(label.textContent).indexOf(wanted) === -1;
      });
    });
  });

  // Leaving a step with unsaved changes asks first.
  var dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = form.getAttribute("data-unsaved-warning") || "";
  });

  // After a failed save, the summary of errors gets the focus (and is read out).
  var summary = document.getElementById("erreurs");
  if (summary) summary.focus();
})();
