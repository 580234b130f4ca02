/* Maps of the réseau pages: places as markers, quartiers as circles or contours.
   The page already lists everything in HTML; the map is an extra. Without tiles (offline,
   blocked tile server) markers and circles still show on a plain background.
   Names come from what the team typed: Leaflet reads a string given to a tooltip, a popup or the
   attribution as HTML, so every one of them gets a DOM node whose text is set with textContent. */
(function () {
  "use strict";
  var container = document.getElementById("carte");
  var source = document.getElementById("carte-donnees");
  var status = document.getElementById("carte-message");
  if (!container || !source) return;
  if (typeof L === "undefined") {
    container.hidden = true;
    if (status) status.textContent = "La carte n'a pas pu se charger ; la liste reste complète.";
    return;
  }
  var data = JSON.parse(source.textContent);
  var map = L.map(container, { zoomControl: false, scrollWheelZoom: false, attributionControl: false });
  L.control.zoom({ zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer" }).addTo(map);

  function text(tag, value) {
    var node = document.createElement(tag);
    node.textContent = value;
    return node;
  }
  // Leaflet's own attribution control writes its text as HTML: this one writes it as text.
  var credit = L.control({ position: "bottomright" });
  credit.onAdd = function () {
    var box = L.DomUtil.create("div", "leaflet-control-attribution");
    box.textContent = data.attribution;
    return box;
  };
  credit.addTo(map);

  var tilesFailed = false;
  L.tileLayer(data.tiles, { maxZoom: 19 })
    .on("tileerror", function () {
      if (tilesFailed) return;
      tilesFailed = true;
      container.classList.add("map-no-tiles");
      if (status) status.textContent = "Le fond de carte est indisponible : les lieux restent placés et listés.";
    })
    .addTo(map);

  var bounds = [];
  (data.zones || []).forEach(function (z) {
    var colour = z.zone_blanche ? "#b00020" : "#1b7f3b";
    var label = z.nom + (z.qpv ? " (QPV)" : "") + " : " +
      (z.zone_blanche ? "zone blanche" : z.lieux + (z.lieux > 1 ? " lieux" : " lieu"));
    var style = { color: z.qpv ? "#000" : colour, weight: z.qpv ? 4 : 2, fillColor: colour, fillOpacity: 0.35 };
    var layer = z.contour ? L.geoJSON(z.contour, { style: style })
      : L.circleMarker([z.lat, z.lon], Object.assign({ radius: 16 }, style));
    layer.bindTooltip(text("span", label)).addTo(map);
    bounds.push([z.lat, z.lon]);
  });
  (data.markers || []).forEach(function (m) {
    var marker = L.marker([m.lat, m.lon], { title: m.nom, alt: m.nom, keyboard: true });
    var popup = document.createElement("div");
    var link = text("a", "Voir les horaires et services");
    link.href = "#" + m.ancre;
    popup.append(text("strong", m.nom), text("div", m.adresse), link);
    marker.bindPopup(popup).addTo(map);
    bounds.push([m.lat, m.lon]);
  });
  if (bounds.length) {
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
  } else {
    map.setView([46.6, 1.9], 5);
  }
})();
