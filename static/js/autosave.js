/*
 * Autosave for the officer's form (form[data-autosave]). A few seconds after the officer stops
 * typing, the whole form is POSTed to its own URL with the header X-Autosave: 1; the server
 * saves a draft (submissions.views.form) and answers JSON with the new version, which goes
 * into the hidden version field so the next save is not refused as stale. A refused save
 * (409: someone else changed the answer, or the round closed) is shown and autosave stops,
 * so the officer's typing is never thrown away: the buttons still post it normally. A save
 * refused for what was typed (400, code "invalid": an explanation too long) saved nothing:
 * the reason is shown, the form stays unsaved and the next change is saved again.
 * No inline script (Content Security Policy); loaded by templates/submissions/form.html.
 */
(function () {
  "use strict";

  var DELAY_MS = 4000;
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var status = document.getElementById("autosave-status");
  var versionField = form.querySelector('input[name="version"]');
  var timer = null;
  var inFlight = false;
  var dirty = false;
  var stopped = false;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function save() {
    if (stopped || !dirty) {
      return;
    }
    if (inFlight) {
      schedule();
      return;
    }
    inFlight = true;
    dirty = false;
    var data = new FormData(form);
    data.set("action", "save");
    window
      .fetch(form.getAttribute("action") || window.location.href, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-Autosave": "1", Accept: "application/json" },
      })
      .then(function (response) {
        return response.json().then(function (body) {
          return { status: response.status, body: body };
        });
      })
      .then(function (reply) {
        if (reply.body && reply.body.ok) {
          versionField.value = reply.body.version;
          say(reply.body.message || "");
          document.dispatchEvent(new Event("indberet:session-renewed"));
        } else if (reply.status === 409) {
          stopped = true;
          say((reply.body && reply.body.message) || "");
        } else {
          // Nothing was saved (400 "invalid": fix what is typed): still unsaved, and the next
          // change is saved again.
          dirty = true;
          say((reply.body && reply.body.message) || "");
        }
      })
      .catch(function () {
        dirty = true; // try again at the next change; the buttons still work
      })
      .then(function () {
        inFlight = false;
      });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, DELAY_MS);
  }

  function changed() {
    dirty = true;
    schedule();
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () {
    stopped = true; // the normal post takes over
    window.clearTimeout(timer);
  });
})();
