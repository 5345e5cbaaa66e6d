/* The publish preview's map: the alert's area (polygons, circles) and the soft targets in it
   with their operators, embedded in the page as JSON (no inline script: the CSP forbids it).
   Leaflet is served by the portal; tiles may fail offline (the shapes and markers stay). */
(function () {
  "use strict";

  function start() {
    var element = document.getElementById("area-preview-map");
    var data = document.getElementById("area-preview-data");
    if (!element || !data || typeof L === "undefined") {
      return;
    }
    var config = JSON.parse(data.textContent);
    var map = L.map(element, { scrollWheelZoom: false });
    L.tileLayer(config.tileUrl, { attribution: config.attribution, maxZoom: 19 }).addTo(map);
    var layers = [];
    var bounds = L.latLngBounds([]); // from the data: a circle has no bounds before the map has a view
    var area = { color: "#b00020", weight: 2, fillOpacity: 0.08, className: "area-shape" };
    (config.area.polygons || []).forEach(function (ring) {
      layers.push(L.polygon(ring, area).addTo(map));
      bounds.extend(ring);
    });
    (config.area.circles || []).forEach(function (circle) {
      layers.push(L.circle(circle.center, Object.assign({ radius: circle.radius_m }, area)).addTo(map));
      bounds.extend(L.latLng(circle.center).toBounds(2 * circle.radius_m));
    });
    (config.targets || []).forEach(function (target) {
      var label = target.name + (target.operator ? " — " + target.operator : "");
      var marker = L.circleMarker([target.latitude, target.longitude], {
        radius: 8,
        weight: 2,
        color: "#ffffff",
        fillColor: "#1f4e79",
        fillOpacity: 0.9,
        className: "area-target-marker"
      });
      marker.bindTooltip(label);
      layers.push(marker.addTo(map));
      bounds.extend([target.latitude, target.longitude]);
      if (target.route && target.route.length > 1) {
        layers.push(L.polyline(target.route, { color: "#7b1fa2", weight: 3 }).addTo(map));
        bounds.extend(target.route);
      }
    });
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 });
    } else {
      map.setView([52.2, 5.3], 7); // the Netherlands
    }
    element.setAttribute("data-shapes", String(layers.length));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
