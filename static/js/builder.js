/*
 * Live checking in the survey builder (form[data-check-url]): when the coordinator leaves a
 * field that was changed, the form is POSTed (nothing is saved) to data-check-url, which checks
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
      el.parentNode.insertBefore(span, el.closest(".form-input-wrapper") || el);
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
  });
  form.addEventListener("change", function () {
    dirty = true;
  });
  form.addEventListener("focusout", function () {
    if (dirty) {
      dirty = false;
      check();
    }
  });
})();
