/* The soft-target map: the operator's own targets, embedded in the page as JSON. Leaflet is
   served by the portal; the background (tiles, or the outline of the Netherlands when they
   cannot load) is map_base.js's. */
(function () {
  "use strict";

  /* An event's route (a line) or perimeter (a closed ring: an area). */
  function drawRoute(map, target, bounds) {
    var points = target.route || [];
    if (points.length < 2) {
      return;
    }
    var first = points[0];
    var last = points[points.length - 1];
    var closed = points.length >= 4 && first[0] === last[0] && first[1] === last[1];
    var style = { color: "#7b1fa2", weight: 3, className: "soft-target-route" };
    var shape = closed ? L.polygon(points, style) : L.polyline(points, style);
    shape.bindTooltip(target.name);
    shape.addTo(map);
    points.forEach(function (point) {
      bounds.push(point);
    });
  }

  function start() {
    var element = document.getElementById("soft-target-map");
    if (!element || typeof L === "undefined" || !window.PPSMap) {
      return;
    }
    var targets = window.PPSMap.readJson("soft-target-data") || [];
    var config = window.PPSMap.readJson("soft-target-map-config") || {};
    var map = L.map(element, { scrollWheelZoom: false });
    window.PPSMap.background(map, config, document.getElementById("map-offline"));
    var bounds = [];
    targets.forEach(function (target) {
      var marker = L.circleMarker([target.lat, target.lng], {
        radius: 9,
        weight: 2,
        color: "#ffffff",
        fillColor: target.gaps ? "#b00020" : "#2e7d32",
        fillOpacity: 0.9,
        className: "soft-target-marker"
      });
      marker.bindTooltip(target.name);
      marker.bindPopup(window.PPSMap.popup(target));
      marker.addTo(map);
      bounds.push([target.lat, target.lng]);
      drawRoute(map, target, bounds);
    });
    if (bounds.length) {
      map.fitBounds(bounds, { padding: [40, 40], maxZoom: 14 });
    } else {
      map.setView([52.2, 5.3], 7); // the Netherlands
    }
    element.setAttribute("data-markers", String(targets.length));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
