/*
 * The survey builder with JavaScript: htmx (node_modules/htmx.org, configured by a meta tag in
 * templates/surveys/builder/_htmx.html, no eval) does the requests and swaps; this script does
 * what htmx leaves to the page. No inline script (Content Security Policy); loaded by the
 * builder's draft and item pages after htmx. Without JavaScript every action is the same form
 * post and a full page.
 *
 * - Live checking (form[data-live-check]): after a pause in typing, and on leaving a changed
 *   field, the form fires "builder-check"; the hidden hx-post element in the form posts it to
 *   the check address (nothing is saved) and the answer swaps each field's message slot
 *   (…-live). Here the field then gets aria-invalid, aria-describedby and the DKFDS error class
 *   to match what its slot says.
 * - The draft page: after a swap, focus goes to the element marked data-focus (the moved item's
 *   button, the new item's "Ret" link, the opened form's heading, an error summary); every
 *   revision field takes the draft's new revision (#draft-state); one panel (add form or remove
 *   confirmation) is open at a time, and its "Fortryd" closes it and gives focus back. A panel
 *   whose form has typed text is never emptied by opening another: focus goes back to it and
 *   the live region says so. A move swaps only the list (#part-…), not the panel.
 * - A failed request (an error answer, no connection) leaves the page as it is and shows
 *   "Ikke gemt – prøv igen" in #builder-error; it does not reload.
 */
(function () {
  "use strict";

  if (!window.htmx) {
    return;
  }
  var PAUSE_MS = 700;

  // --- Live checking -------------------------------------------------------------------------

  function syncField(slot) {
    var fieldId = slot.id.replace(/-live$/, "");
    var errorId = fieldId + "-error";
    var invalid = !!slot.querySelector(".form-error-message");
    var group = slot.closest(".form-group");
    if (group) {
      group.classList.toggle("form-error", invalid);
    }
    var el = document.getElementById(fieldId);
    if (!el || !/^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName)) {
      return;
    }
    var described = (el.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== errorId;
    });
    if (invalid) {
      described.unshift(errorId);
      el.setAttribute("aria-invalid", "true");
    } else {
      el.removeAttribute("aria-invalid");
    }
    if (described.length) {
      el.setAttribute("aria-describedby", described.join(" "));
    } else {
      el.removeAttribute("aria-describedby");
    }
  }

  function watch(form) {
    if (form.hasAttribute("data-live-watched")) {
      return;
    }
    form.setAttribute("data-live-watched", "");
    var dirty = false;
    var timer = null;
    function check() {
      dirty = false;
      window.clearTimeout(timer);
      htmx.trigger(form, "builder-check");
    }
    form.addEventListener("input", function () {
      dirty = true;
      window.clearTimeout(timer);
      timer = window.setTimeout(check, PAUSE_MS);
    });
    form.addEventListener("change", function () {
      dirty = true;
    });
    form.addEventListener("focusout", function () {
      if (dirty) {
        check();
      }
    });
    // A save on its way: no check may start after it (it would answer for the old page).
    form.addEventListener("submit", function () {
      dirty = false;
      window.clearTimeout(timer);
    });
  }

  function watchAll(root) {
    Array.prototype.forEach.call(root.querySelectorAll("form[data-live-check]"), watch);
  }

  // --- After a swap ----------------------------------------------------------------------------

  function syncRevision() {
    var state = document.getElementById("draft-state");
    var page = document.getElementById("draft-page");
    if (!state || !page) {
      return;
    }
    var revision = state.getAttribute("data-revision");
    Array.prototype.forEach.call(page.querySelectorAll("input[name=revision]"), function (input) {
      input.value = revision;
    });
  }

  function focusIn(panel) {
    var target = document.querySelector("[data-focus]");
    if (!target && panel) {
      target = panel.querySelector(".error-summary, [role=alert]");
    }
    if (!target) {
      return;
    }
    target.removeAttribute("data-focus");
    if (!target.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  }

  // --- Choices on a question's page: after Op/Ned or "Gem og tilføj flere" --------------------

  var choiceAction = null;
  var lastSwapTarget = null;

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    lastSwapTarget = event.detail.target ? event.detail.target.id : null;
  });

  function afterChoices() {
    var fieldset = document.getElementById("valgmuligheder");
    if (!choiceAction || !fieldset) {
      return;
    }
    var action = choiceAction;
    choiceAction = null;
    var target = null;
    var said = "";
    if (lastSwapTarget === "main-content") {
      // Refused (a stale page, a locked value): the page came back whole; focus its message.
      target = document.querySelector("#main-content .error-summary, #main-content [role=alert]");
      if (target && !target.hasAttribute("tabindex")) {
        target.setAttribute("tabindex", "-1");
      }
    } else if (action === "stay") {
      // The first empty row, where a new choice is typed.
      target = Array.prototype.filter.call(
        fieldset.querySelectorAll("input[type=text][id$='-value']"),
        function (input) {
          return !input.value;
        }
      )[0];
      said = fieldset.getAttribute("data-said-stay");
    } else {
      var parts = action.split(":");
      var direction = parts[1];
      var moved = parseInt(parts[0], 10) + (direction === "up" ? -1 : 1);
      target =
        fieldset.querySelector('button[name=choice_move][value="' + moved + ":" + direction + '"]') ||
        fieldset.querySelector('button[name=choice_move][value^="' + moved + ':"]') ||
        document.getElementById("id_choice-" + moved + "-label_da");
      said = fieldset.getAttribute("data-said-" + direction);
    }
    if (target) {
      target.focus();
    }
    var status = document.getElementById("builder-status");
    if (status && said) {
      status.textContent = said;
    }
  }

  var openers = {};

  document.addEventListener("click", function (event) {
    var choice = event.target.closest("#valgmuligheder button[hx-post]");
    if (choice) {
      choiceAction = choice.name === "choice_move" ? choice.value : "stay";
      return;
    }
    var opener = event.target.closest("[data-panel-opener]");
    if (opener) {
      openers[opener.getAttribute("hx-target")] = opener;
      return;
    }
    var close = event.target.closest("[data-panel-close]");
    if (close) {
      var panel = close.closest(".builder-panel");
      if (!panel) {
        return;
      }
      var key = "#" + panel.id;
      panel.innerHTML = "";
      var back = openers[key];
      if (back && document.body.contains(back)) {
        back.focus();
      }
    }
  });

  // --- Panels: one open at a time, and never one with unsaved text emptied ------------------

  function markChanged(event) {
    var form = event.target.closest && event.target.closest(".builder-panel form[data-live-check]");
    if (form) {
      form.setAttribute("data-changed", "");
    }
  }
  document.addEventListener("input", markChanged);
  document.addEventListener("change", markChanged);

  function unsavedPanel() {
    var form = document.querySelector(".builder-panel form[data-changed]");
    return form ? form.closest(".builder-panel") : null;
  }

  // Tilføj / Fjern while a form with typed text is open: the request is not made; focus goes to
  // that form's heading and the live region says why (builder-status's data-said-unsaved).
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-panel-opener")) {
      return;
    }
    var panel = unsavedPanel();
    if (!panel) {
      return;
    }
    event.preventDefault();
    var heading = panel.querySelector("h3[tabindex]") || panel.querySelector("input, select, textarea");
    if (heading) {
      heading.focus();
    }
    var status = document.getElementById("builder-status");
    if (status) {
      status.textContent = status.getAttribute("data-said-unsaved") || "";
    }
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target.classList && target.classList.contains("builder-panel")) {
      // One form open at a time: two would have fields with the same ids.
      Array.prototype.forEach.call(document.querySelectorAll(".builder-panel"), function (panel) {
        if (panel !== target) {
          panel.innerHTML = "";
        }
      });
      // A refused save: the form is back with what was typed, still not saved.
      var form = target.querySelector("form[data-live-check]");
      if (form && event.detail.requestConfig && event.detail.requestConfig.verb === "post") {
        form.setAttribute("data-changed", "");
      }
    } else if (target.id && /^part-/.test(target.id)) {
      // A move swaps only the list: an add form in the panel stays, but a remove confirmation
      // would name the item by its old place, so it is closed.
      var own = document.getElementById(target.id.replace(/^part-/, "panel-"));
      if (own && !own.querySelector("form[data-live-check]")) {
        own.innerHTML = "";
      }
    }
  });

  document.body.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    var panel = target && target.classList && target.classList.contains("builder-panel") ? target : null;
    Array.prototype.forEach.call(document.querySelectorAll("[id$='-live']"), syncField);
    syncRevision();
    watchAll(document);
    focusIn(panel);
    afterChoices();
  });

  // The out-of-band slots of a live check settle on their own targets.
  document.body.addEventListener("htmx:oobAfterSwap", function (event) {
    var slot = event.detail.target;
    if (slot && slot.id && /-live$/.test(slot.id)) {
      syncField(slot);
    }
  });

  // An answer htmx does not swap (403 after a new login elsewhere, 413, 5xx, 502 during a
  // deploy) or no answer at all: the page stays as it is, with what was typed, and the alert
  // says it was not saved (#builder-error, its text translated in the template). "Someone else
  // changed the draft" is not an error: the server answers HX-Refresh and htmx reloads.
  function notSaved(event) {
    var elt = event.detail.elt;
    if (elt && elt.getAttribute && elt.getAttribute("hx-trigger") === "builder-check from:closest form") {
      return; // a failed check changes nothing; the save checks anyway
    }
    var region = document.getElementById("builder-error");
    if (!region) {
      return;
    }
    region.innerHTML = "";
    var alert = document.createElement("div");
    alert.className = "alert alert-error";
    var body = document.createElement("div");
    body.className = "alert-body";
    var text = document.createElement("p");
    text.className = "alert-text";
    text.textContent = region.getAttribute("data-said") || "";
    body.appendChild(text);
    alert.appendChild(body);
    region.appendChild(alert);
  }
  document.body.addEventListener("htmx:responseError", notSaved);
  document.body.addEventListener("htmx:sendError", notSaved);

  // A request that went through: an earlier "not saved" no longer holds.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var region = document.getElementById("builder-error");
    if (region && event.detail.successful && event.detail.requestConfig && event.detail.requestConfig.verb === "post") {
      var elt = event.detail.elt;
      if (!(elt && elt.getAttribute && elt.getAttribute("hx-trigger") === "builder-check from:closest form")) {
        region.innerHTML = "";
      }
    }
  });

  watchAll(document);
})();
