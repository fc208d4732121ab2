/*
 * Copy buttons: <button data-copy="ID" data-copy-status="ID" data-copied="…" data-selected="…"
 * hidden> copies the text of element ID to the clipboard and says so in the status element.
 * The button is hidden in the HTML and shown here, so without JavaScript there is no button
 * that does nothing; the text itself stays selectable. Where the clipboard is not available
 * (an insecure origin, a refused permission) the text is selected for Ctrl+C instead.
 * No inline script: loaded by the page that needs it, under the Content Security Policy.
 */
(function () {
  "use strict";

  function select(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!source) {
      return;
    }
    function say(attribute) {
      if (status) {
        status.textContent = button.getAttribute(attribute) || "";
      }
    }
    function fallback() {
      select(source);
      say("data-selected");
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source.textContent.trim();
      if (!navigator.clipboard || !window.isSecureContext) {
        fallback();
        return;
      }
      navigator.clipboard.writeText(text).then(function () {
        say("data-copied");
      }, fallback);
    });
  });
})();
