/*
 * Show-when, live, for the officer's form (form[data-relevance-url]): when an answer changes,
 * the form is POSTed (nothing is saved) to the URL in data-relevance-url, which answers which
 * questions and sections the answers hide; those get the `hidden` attribute, the others lose
 * it. The server decides, with the same rule as a save (surveys/relevance.py): there is no
 * second copy of the expressions here. What is typed in a question that becomes hidden stays
 * in its field, so it is back if the question shows again; a save clears it if it is hidden.
 * Without this script the form works too: the server shows and hides after each save.
 * No inline script (Content Security Policy); loaded by the form templates.
 */
(function () {
  "use strict";

  var DELAY_MS = 300;
  var form = document.querySelector("form[data-relevance-url]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var url = form.getAttribute("data-relevance-url");
  var timer = null;
  var latest = 0;

  function apply(reply) {
    var hidden = {};
    (reply.hidden || []).forEach(function (key) {
      hidden["q:" + key] = true;
    });
    (reply.sections || []).forEach(function (key) {
      hidden["s:" + key] = true;
    });
    form.querySelectorAll("[data-question]").forEach(function (el) {
      el.hidden = !!hidden["q:" + el.getAttribute("data-question")];
    });
    form.querySelectorAll("[data-section]").forEach(function (el) {
      el.hidden = !!hidden["s:" + el.getAttribute("data-section")];
    });
  }

  function check() {
    var mine = ++latest;
    window
      .fetch(url, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (reply) {
        if (reply && mine === latest) {
          apply(reply); // only the answer to the newest question counts
        }
      })
      .catch(function () {
        // Offline or refused: the form keeps working; the next save decides.
      });
  }

  function changed(event) {
    if (!event.target || !event.target.name || event.target.name.indexOf("q-") !== 0) {
      return;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(check, event.type === "change" ? 0 : DELAY_MS);
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", changed);
})();
