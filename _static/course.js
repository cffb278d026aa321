/* Course website fixes that need a few lines of script. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  /* Navigation buttons on phones and tablets. Since pydata-sphinx-theme 0.17 the theme binds its
   * "open the sidebar" handler to the FIRST .primary-toggle (and .secondary-toggle) on the page, a
   * button hidden inside its own header, while sphinx-book-theme shows a second button that gets no
   * handler: tapping it did nothing at widths up to 991 px. Upstream issue:
   * https://github.com/pydata/pydata-sphinx-theme/issues/2451 . Until it is fixed, a click on any
   * other toggle is passed on to the first one, which runs the themes' own handlers (the dialog on
   * narrow screens, collapsing the sidebar on wide ones). */
  ready(function () {
    ["primary", "secondary"].forEach(function (side) {
      var toggles = document.querySelectorAll("." + side + "-toggle");
      if (toggles.length < 2) { return; }
      var bound = toggles[0];
      Array.prototype.slice.call(toggles, 1).forEach(function (button) {
        if (!button.getAttribute("aria-label")) {
          button.setAttribute("aria-label", side === "primary" ? "Site navigation" : "On this page");
        }
        button.addEventListener("click", function (event) {
          event.preventDefault();
          event.stopPropagation();
          bound.click();
        });
      });
    });
  });
})();
