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
 *   confirmation) is open at a time, and its "Fortryd" closes it and gives focus back.
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

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target.classList && target.classList.contains("builder-panel")) {
      // One form open at a time: two would have fields with the same ids.
      Array.prototype.forEach.call(document.querySelectorAll(".builder-panel"), function (panel) {
        if (panel !== target) {
          panel.innerHTML = "";
        }
      });
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

  // An answer htmx does not swap (a server error): reload, so the page shows the draft as it is.
  document.body.addEventListener("htmx:responseError", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.getAttribute && elt.getAttribute("hx-trigger") === "builder-check from:closest form") {
      return; // a failed check changes nothing; the save checks anyway
    }
    window.location.reload();
  });

  watchAll(document);
})();
