/*
 * Live checking in the survey builder (form[data-check-url]): as the coordinator types (after a
 * short pause) and on leaving a changed field, the form is POSTed (nothing is saved) to
 * data-check-url, which checks
 * the item as typed with the same check as a save (surveys/builder.py: the import's own check)
 * and answers the messages per field; they are shown at the fields as a save would show them.
 * Without this script every save checks and shows the same messages.
 * No inline script (Content Security Policy); loaded by templates/surveys/builder/item.html.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-check-url]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var url = form.getAttribute("data-check-url");
  var prefix = form.getAttribute("data-error-prefix") || "";
  var latest = 0;
  var dirty = false;
  var timer = null;
  var PAUSE_MS = 700;

  function field(name) {
    var el = form.elements[name];
    if (el && el.length !== undefined && !el.tagName) {
      el = el[0];
    }
    return el && el.id ? el : null;
  }

  function show(el, messages) {
    var group = el.closest(".form-group");
    var errorId = el.id + "-error";
    var old = document.getElementById(errorId);
    if (old) {
      old.parentNode.removeChild(old);
    }
    var described = (el.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== errorId;
    });
    if (messages.length) {
      var span = document.createElement("span");
      span.className = "form-error-message";
      span.id = errorId;
      var hidden = document.createElement("span");
      hidden.className = "sr-only";
      hidden.textContent = prefix + " ";
      span.appendChild(hidden);
      span.appendChild(document.createTextNode(messages.join(" ")));
      var anchor = el.closest(".form-input-wrapper") || el;
      anchor.parentNode.insertBefore(span, anchor);
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
    if (group) {
      group.classList.toggle("form-error", messages.length > 0);
    }
  }

  function check() {
    var mine = ++latest;
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (reply) {
        if (!reply || mine !== latest) {
          return;
        }
        Array.prototype.forEach.call(form.elements, function (el) {
          if (el.name && el.id && el.type !== "hidden" && el.type !== "submit") {
            if (field(el.name) === el) {
              show(el, reply.errors[el.name] || []);
            }
          }
        });
      })
      .catch(function () {
        /* Offline or refused: the save checks anyway. */
      });
  }

  form.addEventListener("input", function () {
    dirty = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      dirty = false;
      check();
    }, PAUSE_MS);
  });
  form.addEventListener("change", function () {
    dirty = true;
  });
  form.addEventListener("focusout", function () {
    window.clearTimeout(timer);
    if (dirty) {
      dirty = false;
      check();
    }
  });
})();

/*
 * Moving items on the draft page without reloading it: the Op/Ned form is POSTed as it would
 * be without JavaScript, the draft page it leads to is fetched, and its content replaces this
 * page's; focus goes back to the moved item's button, and a status line says what moved.
 * Without this script the same form posts and the page reloads.
 */
(function () {
  "use strict";

  var page = document.getElementById("draft-page");
  if (!page || !window.fetch || !window.FormData || !window.DOMParser) {
    return;
  }

  function refocus(rowKey, direction) {
    var row = document.querySelector('tr[data-row="' + rowKey.replace(/"/g, "") + '"]');
    if (!row) {
      return;
    }
    var target =
      row.querySelector('button[value="' + direction + '"]') ||
      row.querySelector("button[name=direction]") ||
      row.querySelector("a");
    if (target) {
      target.focus();
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-move") || !page.contains(form)) {
      return;
    }
    var button = event.submitter;
    if (!button) {
      return; // an old browser: let the form post as without JavaScript
    }
    event.preventDefault();
    var data = new FormData(form);
    data.append(button.name, button.value);
    var row = form.closest("tr");
    var rowKey = row ? row.getAttribute("data-row") : "";
    var label = row ? row.querySelector("th").textContent : "";
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("draft-page");
        if (!fresh) {
          window.location.reload();
          return;
        }
        // The messages (e.g. "changed by someone else") stand just before the page content.
        while (page.previousElementSibling && page.previousElementSibling.classList.contains("alert")) {
          page.parentNode.removeChild(page.previousElementSibling);
        }
        var alerts = [];
        for (var el = fresh.previousElementSibling; el && el.classList.contains("alert"); ) {
          alerts.unshift(el);
          el = el.previousElementSibling;
        }
        alerts.forEach(function (alert) {
          page.parentNode.insertBefore(document.importNode(alert, true), page);
        });
        page.innerHTML = fresh.innerHTML;
        refocus(rowKey, button.value);
        var status = document.getElementById("move-status");
        if (status) {
          status.textContent = label + " " + button.textContent.trim();
        }
      })
      .catch(function () {
        form.submit();
      });
  });
})();
