/* The log form's progressive enhancement: show only the parts that apply, keep chosen usagers.
   Without JavaScript every part stays visible and the server ignores what does not apply. */
(function () {
  "use strict";
  var form = document.getElementById("log-form");
  if (!form) { return; }
  document.documentElement.classList.add("js");
  // The no-JS search buttons would otherwise be the form's default (Enter) button.
  form.querySelectorAll(".nojs-only").forEach(function (el) { el.remove(); });

  function checked(name) {
    return Array.prototype.map.call(
      form.querySelectorAll('input[name="' + name + '"]:checked'), function (i) { return i.value; });
  }
  var rules = [
    ["data-when-type", function () { return checked("type_activite"); }],
    ["data-when-canal", function () { return checked("type_lieu"); }],
    ["data-when-duree", function () { return checked("duree"); }],
    ["data-when-mode", function () { return checked("usager_mode"); }],
    ["data-when-redirige", function () { return checked("redirige"); }],
    ["data-when-theme", function () { return checked("thematiques"); }]
  ];
  function refresh() {
    rules.forEach(function (rule) {
      var values = rule[1]();
      form.querySelectorAll("[" + rule[0] + "]").forEach(function (el) {
        var wanted = el.getAttribute(rule[0]).split(" ");
        var show = wanted.some(function (w) { return values.indexOf(w) !== -1; });
        el.hidden = !show;
      });
    });
  }
  form.addEventListener("change", function (event) {
    var t = event.target;
    // Unticking "Aide aux démarches administratives" clears its hidden sub-list.
    if (t.name === "thematiques" && t.value === "aide_aux_demarches_administratives" && !t.checked) {
      form.querySelectorAll('input[name="thematiques_demarche"]').forEach(function (i) { i.checked = false; });
    }
    // A usager chosen in the results moves to the chosen list, so a new search keeps it.
    if ((t.name === "usager" || t.name === "participants") && t.closest(".usager-option")) {
      var option = t.closest(".usager-option");
      var chosen = document.getElementById(t.name + "-chosen");
      if (t.checked && !chosen.contains(option)) {
        if (t.name === "usager") { chosen.replaceChildren(); }
        chosen.querySelectorAll('input[value="' + t.value + '"]').forEach(function (i) {
          i.closest(".usager-option").remove();
        });
        chosen.appendChild(option);
      }
    }
    refresh();
  });
  // Enter in a search box searches instead of saving the report.
  form.querySelectorAll('input[type="search"]').forEach(function (input) {
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); input.dispatchEvent(new Event("search")); }
    });
  });
  // A typed duration selects "Autre".
  var other = form.querySelector('input[name="duree_autre"]');
  if (other) {
    other.addEventListener("input", function () {
      var radio = form.querySelector('input[name="duree"][value="autre"]');
      if (radio && other.value) { radio.checked = true; }
    });
  }
  // The duration is remembered per activity type: switching the type takes that type's last
  // duration, and the note says where it came from, until the conseiller chooses one.
  var memory = document.getElementById("remembered-durations");
  var note = document.getElementById("duree-note");
  if (memory && note) {
    var remembered = JSON.parse(memory.textContent);
    var chosenByHand = false;
    form.addEventListener("change", function (event) {
      var t = event.target;
      if (t.name === "duree" || t.name === "duree_autre") {
        chosenByHand = true;
        note.textContent = "";
        return;
      }
      if (t.name !== "type_activite" || chosenByHand) { return; }
      var entry = remembered[t.value];
      var initial = entry ? entry.initial : { duree: "30" };
      var radio = form.querySelector('input[name="duree"][value="' + initial.duree + '"]');
      if (radio) { radio.checked = true; }
      if (other) { other.value = initial.duree_autre || ""; }
      note.textContent = entry ? entry.note : "";
      refresh();
    });
  }
  refresh();
})();
