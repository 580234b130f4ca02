/* Maps of the réseau pages: places as markers, quartiers as circles or contours.
   The page already lists everything in HTML; the map is an extra. Without tiles (offline,
   blocked tile server) markers and circles still show on a plain background. */
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
  var map = L.map(container, { zoomControl: false, scrollWheelZoom: false });
  L.control.zoom({ zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer" }).addTo(map);
  map.attributionControl.setPrefix(false);

  var tilesFailed = false;
  L.tileLayer(data.tiles, { attribution: data.attribution, maxZoom: 19 })
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
    // Leaflet writes a string tooltip as HTML: the name goes in as text.
    var tooltip = document.createElement("span");
    tooltip.textContent = label;
    layer.bindTooltip(tooltip).addTo(map);
    bounds.push([z.lat, z.lon]);
  });
  (data.markers || []).forEach(function (m) {
    var marker = L.marker([m.lat, m.lon], { title: m.nom, alt: m.nom, keyboard: true });
    var popup = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = m.nom;
    var address = document.createElement("div");
    address.textContent = m.adresse;
    var link = document.createElement("a");
    link.href = "#" + m.ancre;
    link.textContent = "Voir les horaires et services";
    popup.append(name, address, link);
    marker.bindPopup(popup).addTo(map);
    bounds.push([m.lat, m.lon]);
  });
  if (bounds.length) {
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
  } else {
    map.setView([46.6, 1.9], 5);
  }
})();
