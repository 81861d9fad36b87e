// A form sent back with errors: its summary (#erreurs, role="alert") gets the focus, so that it is
// seen on a phone (the form is far down the page) and read by screen readers.
(function () {
  "use strict";
  var summary = document.getElementById("erreurs");
  if (summary) {
    summary.focus();
  }
})();
