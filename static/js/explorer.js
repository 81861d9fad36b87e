// The explorer: a new sort applies at once (without this script, the « Trier » button does it);
// on a phone, the filters' panel starts folded below the results.
(function () {
  const ordering = document.getElementById("ordering");
  if (ordering && ordering.form) {
    ordering.closest(".sort").classList.add("js-sort");
    ordering.addEventListener("change", () => {
      if (typeof ordering.form.requestSubmit === "function") ordering.form.requestSubmit();
      else ordering.form.submit();
    });
  }
  const panel = document.getElementById("filtres");
  if (panel && window.matchMedia("(max-width: 900px)").matches && location.hash !== "#filtres") {
    panel.open = false;
  }
  // « Aller aux filtres » opens the panel it leads to.
  document.querySelectorAll('a[href="#filtres"]').forEach((link) => {
    link.addEventListener("click", () => { if (panel) panel.open = true; });
  });
})();
