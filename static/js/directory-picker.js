// The directory search of the curators' onboarding page: as the curator types, the list of
// results below the form is refreshed with the same list the plain form gives (the page asked
// with ?partial=1). Without JavaScript the form works as it is.
(function () {
  "use strict";
  var form = document.querySelector("form[data-directory-search]");
  if (!form || !window.fetch) {
    return;
  }
  var input = form.querySelector("input[name='q']");
  var results = document.getElementById(form.getAttribute("data-results"));
  var timer = null;
  var controller = null;
  var last = input.value.trim();

  function search() {
    var query = input.value.trim();
    if (query === last || query.length < 2) {
      return;
    }
    last = query;
    if (controller) {
      controller.abort();
    }
    controller = window.AbortController ? new AbortController() : null;
    var url = new URL(form.getAttribute("action"), window.location.href);
    url.searchParams.set("q", query);
    url.searchParams.set("partial", "1");
    fetch(url.toString(), {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html === null) {
          return;
        }
        results.innerHTML = html;
        var address = new URL(window.location.href);
        address.searchParams.set("q", query);
        window.history.replaceState(null, "", address.toString());
      })
      .catch(function (error) {
        if (error.name !== "AbortError") {
          last = null; // let the next keystroke try again
        }
      });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 250);
  });
})();
