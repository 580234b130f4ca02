/* Drafts of the log form, kept in this tab's sessionStorage (gone when the tab is closed) so that
   a lost connection, a reload or a phone that discards the tab never loses what was typed.
   After a save, the page carries a message marked data-draft-saved: every draft is forgotten. */
(function () {
  "use strict";
  var PREFIX = "brouillon:";
  var MAX_AGE_MS = 12 * 3600 * 1000;
  var SKIP = { csrfmiddlewaretoken: true, usager_q: true, participants_q: true };
  var store;
  try { store = window.sessionStorage; } catch (e) { return; }
  if (!store) { return; }

  if (document.querySelector("[data-draft-saved]")) {
    Object.keys(store).forEach(function (k) { if (k.indexOf(PREFIX) === 0) { store.removeItem(k); } });
  }
  var form = document.querySelector("form[data-draft]");
  if (!form) { return; }
  var key = PREFIX + form.getAttribute("data-draft");

  function read() {
    try {
      var draft = JSON.parse(store.getItem(key) || "null");
      return draft && Date.now() - draft.at < MAX_AGE_MS ? draft : null;
    } catch (e) { return null; }
  }
  function save() {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (!SKIP[name] && typeof value === "string") { fields.push([name, value]); }
    });
    try { store.setItem(key, JSON.stringify({ at: Date.now(), fields: fields })); } catch (e) { /* full */ }
  }
  function restore(draft) {
    var byName = {};
    draft.fields.forEach(function (f) { (byName[f[0]] = byName[f[0]] || []).push(f[1]); });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || !(el.name in byName)) { return; }
      var values = byName[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = values.indexOf(o.value) !== -1; });
      } else if (el.type !== "file") {
        el.value = values[0];
      }
    });
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  var banner = document.getElementById("draft-banner");
  var draft = read();
  // A form shown again with errors already holds what was typed: no banner then.
  var hasErrors = form.querySelector(".is-invalid, .invalid-feedback");
  if (draft && banner && !hasErrors) {
    var when = new Date(draft.at);
    banner.querySelector("[data-draft-time]").textContent =
      when.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
    banner.hidden = false;
    banner.querySelector("[data-draft-restore]").addEventListener("click", function () {
      restore(draft);
      banner.hidden = true;
      save();
      var first = form.querySelector("input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
    });
    banner.querySelector("[data-draft-discard]").addEventListener("click", function () {
      store.removeItem(key);
      banner.hidden = true;
    });
  }
  var timer = null;
  function later() { clearTimeout(timer); timer = setTimeout(save, 300); }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
