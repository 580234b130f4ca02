/* Drafts of the long forms (form[data-draft]), kept in this tab's sessionStorage (gone when the
   tab is closed: safer than localStorage on a shared tablet) so that a lost connection, a server
   that answers "indisponible", a reload or a phone that discards the tab never loses what was
   typed. Fields marked data-draft-skip (personal data of residents, DESIGN §9), passwords,
   files and the one-time tokens are never kept.
   A form's hidden version (poitiers_inclusion/concurrency.py) is kept with its draft: the
   draft's changes were made on that version, so saving it shows what changed meanwhile.
   After a save, the page carries a success message: the draft of the form just sent is
   forgotten (a message marked data-draft-saved forgets every draft). A form sent but not saved
   (the server was unavailable) is filled again from its draft when it is opened next; a draft
   left without sending is offered. */
(function () {
  "use strict";
  var PREFIX = "brouillon:";
  var SENT = "brouillon-envoye";
  var MAX_AGE_MS = 12 * 3600 * 1000;
  var SKIP = {
    csrfmiddlewaretoken: true,
    submission_token: true,
    usager_q: true,
    participants_q: true,
  };
  var store;
  try { store = window.sessionStorage; } catch (e) { return; }
  if (!store) { return; }

  function forgetAll() {
    Object.keys(store).forEach(function (k) { if (k.indexOf(PREFIX) === 0) { store.removeItem(k); } });
  }
  // Signing out forgets this tab's drafts: the next person on a shared tablet never sees them.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-logout]"), function (logout) {
    logout.addEventListener("submit", function () { forgetAll(); store.removeItem(SENT); });
  });

  var sentKey = store.getItem(SENT);
  store.removeItem(SENT);
  if (document.querySelector("[data-draft-saved]")) {
    forgetAll();
  } else if (sentKey && document.querySelector(".messages .alert-success")) {
    store.removeItem(sentKey);
  }
  var form = document.querySelector("form[data-draft]");
  if (!form) { return; }
  var key = PREFIX + form.getAttribute("data-draft");

  var skipped = {};
  Array.prototype.forEach.call(form.elements, function (el) {
    if (el.name && (el.hasAttribute("data-draft-skip") || el.type === "password")) {
      skipped[el.name] = true;
    }
  });
  function kept(name) { return !SKIP[name] && !skipped[name]; }

  function read() {
    try {
      var draft = JSON.parse(store.getItem(key) || "null");
      return draft && Date.now() - draft.at < MAX_AGE_MS ? draft : null;
    } catch (e) { return null; }
  }
  function save() {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (kept(name) && typeof value === "string") { fields.push([name, value]); }
    });
    try { store.setItem(key, JSON.stringify({ at: Date.now(), fields: fields })); } catch (e) { /* full */ }
  }
  var quiet = false;
  function changed() {
    quiet = true;
    form.dispatchEvent(new Event("change", { bubbles: true }));
    quiet = false;
  }
  function restore(draft) {
    var byName = {};
    draft.fields.forEach(function (f) { (byName[f[0]] = byName[f[0]] || []).push(f[1]); });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !kept(el.name) || !(el.name in byName)) { return; }
      var values = byName[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = values.indexOf(o.value) !== -1; });
      } else if (el.type !== "file") {
        el.value = values[0];
      }
    });
    changed();
  }

  var banner = document.getElementById("draft-banner");
  var draft = read();
  // A form shown again with errors already holds what was typed: no banner then.
  var hasErrors = form.querySelector(".is-invalid, .invalid-feedback");
  if (draft && banner && !hasErrors) {
    var when = new Date(draft.at).toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
    Array.prototype.forEach.call(banner.querySelectorAll("[data-draft-time]"), function (el) {
      el.textContent = when;
    });
    var restoredNow = sentKey === key;
    if (restoredNow) {
      // Sent but not saved: what was typed goes back into the form at once.
      restore(draft);
      banner.querySelector("[data-draft-offer]").hidden = true;
      banner.querySelector("[data-draft-restored]").hidden = false;
      banner.querySelector("[data-draft-restore]").hidden = true;
    }
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
      if (restoredNow) {
        form.reset();
        changed();
      }
    });
  }
  var timer = null;
  function later() {
    if (quiet) { return; }
    clearTimeout(timer);
    timer = setTimeout(save, 300);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  form.addEventListener("submit", function () {
    clearTimeout(timer);
    save();
    store.setItem(SENT, key);
  });
})();
