/*
 * Start DKFDS's own components (dkfds.min.js, loaded just before): the mobile menu drawer,
 * the error summary that takes focus after a failed save, responsive tables, accordions.
 * No inline script (Content Security Policy). Without JavaScript every link stays reachable:
 * the menu button is a link to the drawer (#menu), which CSS shows as its :target.
 */
(function () {
  "use strict";

  if (!window.DKFDS) {
    return;
  }
  document.documentElement.classList.add("js");
  var links = document.querySelectorAll("a.js-menu-open, a.js-menu-close");
  for (var i = 0; i < links.length; i++) {
    links[i].addEventListener("click", function (event) {
      event.preventDefault(); // DKFDS opens and closes the drawer; no jump to #menu
    });
  }
  window.DKFDS.init();

  // DKFDS writes its overflow menu button ("Mere") in Danish only: use the page's language.
  var nav = document.querySelector("[data-more-label]");
  var more = document.querySelectorAll(".navigation-menu .more-button span");
  for (var m = 0; nav && m < more.length; m++) {
    more[m].textContent = nav.getAttribute("data-more-label");
  }
})();
