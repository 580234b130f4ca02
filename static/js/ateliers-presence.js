/* Attendance on a session's page without reloading it: each Présent / Absent button posts in the
   background and the buttons show the new state. Without JavaScript (or if the request cannot be
   made) the same buttons post the form and the server redirects back to the person's row. */
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-presence]");
  if (!forms.length || !window.fetch || !window.FormData) { return; }
  var status = document.getElementById("presence-status");
  var problem = document.getElementById("presence-error");
  var count = document.getElementById("presents-count");

  function show(form, presence) {
    form.querySelectorAll("button[data-value]").forEach(function (button) {
      var value = button.getAttribute("data-value");
      var pressed = value === presence;
      button.setAttribute("aria-pressed", pressed ? "true" : "false");
      button.value = pressed ? "" : value;
      button.classList.toggle(button.getAttribute("data-on"), pressed);
      button.classList.toggle(button.getAttribute("data-off"), !pressed);
    });
    // A person whose attendance is noted keeps their registration.
    var cancel = form.closest(".person").querySelector("[data-cancel]");
    if (cancel) { cancel.hidden = Boolean(presence); }
  }

  forms.forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || form.getAttribute("aria-busy") === "true") {
        if (button) { event.preventDefault(); }
        return;
      }
      event.preventDefault();
      var data = new FormData(form);
      data.set(button.name, button.value);
      form.setAttribute("aria-busy", "true");
      fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (result) {
          if (!result.ok) {
            var refused = new Error(result.body.error);
            refused.fromServer = true;
            throw refused;
          }
          show(form, result.body.presence);
          if (count) { count.textContent = result.body.presents; }
          if (problem) { problem.textContent = ""; }
          if (status) { status.textContent = result.body.message; }
        })
        .catch(function (error) {
          if (problem) {
            problem.textContent = error.fromServer
              ? error.message
              : "La présence n'a pas pu être enregistrée (connexion ?) : réessayez.";
          }
        })
        .finally(function () { form.removeAttribute("aria-busy"); });
    });
  });
})();
