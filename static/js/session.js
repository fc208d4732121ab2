/*
 * Idle-timeout warning. The server ends a session after SESSION_IDLE_SECONDS without a
 * request (body[data-session-idle]); two minutes before that, #session-warning is shown with
 * a button that POSTs to body[data-session-extend-url] and starts the clock again.
 *
 * Other scripts that talk to the server (autosave) renew the session too; they tell this
 * script by dispatching `document.dispatchEvent(new Event("indberet:session-renewed"))`.
 * No inline script: loaded from base.html under the Content Security Policy.
 */
(function () {
  "use strict";

  var WARN_BEFORE_SECONDS = 120;
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-session-idle"), 10);
  var extendUrl = body.getAttribute("data-session-extend-url");
  var warning = document.getElementById("session-warning");
  var button = document.getElementById("session-extend");
  if (!idle || !extendUrl || !warning || !button) {
    return;
  }

  var warnTimer = null;
  var expireTimer = null;
  var returnFocusTo = null;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function hideWarning() {
    if (warning.hidden) {
      return;
    }
    warning.hidden = true;
    if (returnFocusTo && typeof returnFocusTo.focus === "function") {
      returnFocusTo.focus();
    }
    returnFocusTo = null;
  }

  function showWarning() {
    returnFocusTo = document.activeElement;
    warning.hidden = false;
    button.focus();
  }

  function expired() {
    // The server has ended the session: load the page again, which leads to the login page
    // and back here afterwards.
    window.location.assign(window.location.href);
  }

  function start(seconds) {
    window.clearTimeout(warnTimer);
    window.clearTimeout(expireTimer);
    hideWarning();
    var warnIn = Math.max(seconds - WARN_BEFORE_SECONDS, 0);
    warnTimer = window.setTimeout(showWarning, warnIn * 1000);
    expireTimer = window.setTimeout(expired, seconds * 1000);
  }

  function extend() {
    button.disabled = true;
    window
      .fetch(extendUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "X-CSRFToken": csrfToken(),
          "X-Requested-With": "XMLHttpRequest",
          Accept: "application/json",
        },
      })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("extend failed: " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        start(parseInt(data.idle_seconds, 10) || idle);
      })
      .catch(function () {
        expired();
      })
      .then(function () {
        button.disabled = false;
      });
  }

  button.addEventListener("click", extend);
  document.addEventListener("indberet:session-renewed", function () {
    start(idle);
  });
  start(idle);
})();
