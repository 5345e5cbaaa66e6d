/* The national soft-target map (NCTV staff): every target of the page's filter, embedded as
   compact JSON (expand). Targets close together on screen are drawn as one cluster with their number (a grid of
   CLUSTER_PX squares, redrawn at each zoom); choosing a cluster zooms in on it. From
   SINGLE_ZOOM on, every target is its own marker, whose popup links to the target's page.
   The background is map_base.js's. */
(function () {
  "use strict";

  var CLUSTER_PX = 64;
  var SINGLE_ZOOM = 13;

  function single(target) {
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
    return marker;
  }

  function cluster(map, members, text) {
    var bounds = L.latLngBounds(members.map(function (t) { return [t.lat, t.lng]; }));
    var gaps = members.some(function (t) { return t.gaps; });
    var label = text.replace("{count}", String(members.length));
    var size = members.length < 10 ? 34 : members.length < 100 ? 40 : 48;
    var marker = L.marker(bounds.getCenter(), {
      icon: L.divIcon({
        html: "<span>" + members.length + "</span>",
        className: "map-cluster" + (gaps ? " map-cluster-gaps" : ""),
        iconSize: [size, size]
      }),
      title: label,
      alt: label,
      keyboard: true
    });
    marker.on("click", function () {
      map.fitBounds(bounds.pad(0.2), { maxZoom: SINGLE_ZOOM });
    });
    return marker;
  }

  function draw(map, layer, targets, text) {
    layer.clearLayers();
    if (map.getZoom() >= SINGLE_ZOOM) {
      targets.forEach(function (t) { layer.addLayer(single(t)); });
      return;
    }
    var cells = {};
    targets.forEach(function (t) {
      var point = map.project([t.lat, t.lng], map.getZoom());
      var key = Math.floor(point.x / CLUSTER_PX) + ":" + Math.floor(point.y / CLUSTER_PX);
      (cells[key] = cells[key] || []).push(t);
    });
    var clusters = 0;
    Object.keys(cells).forEach(function (key) {
      var members = cells[key];
      if (members.length === 1) {
        layer.addLayer(single(members[0]));
      } else {
        clusters += 1;
        layer.addLayer(cluster(map, members, text));
      }
    });
    map.getContainer().setAttribute("data-clusters", String(clusters));
  }

  /* The page embeds the targets compactly (threats/views_map.py, national_markers): one list
     of values per target in the order of "columns", the category and tier as indexes, the
     gaps' texts and the link once. Each becomes the object the markers and popups read. */
  function expand(data) {
    if (!data || !data.targets) {
      return [];
    }
    return data.targets.map(function (row) {
      var target = {};
      data.columns.forEach(function (name, index) { target[name] = row[index]; });
      target.category = data.categories[target.category];
      target.tier = data.tiers[target.tier];
      target.gapsText = data.gapsTexts[String(target.gaps)];
      target.url = data.url.replace(data.stand_in, target.id);
      return target;
    });
  }

  function start() {
    var element = document.getElementById("national-map");
    if (!element || typeof L === "undefined" || !window.PPSMap) {
      return;
    }
    var targets = expand(window.PPSMap.readJson("national-map-data"));
    var config = window.PPSMap.readJson("national-map-config") || {};
    var map = L.map(element, { scrollWheelZoom: false });
    window.PPSMap.background(map, config, document.getElementById("map-offline"));
    var layer = L.layerGroup().addTo(map);
    if (targets.length) {
      var bounds = L.latLngBounds(targets.map(function (t) { return [t.lat, t.lng]; }));
      map.fitBounds(bounds, { padding: [40, 40], maxZoom: 12 });
    } else {
      map.setView([52.2, 5.3], 7); // the Netherlands
    }
    var text = element.getAttribute("data-cluster-label") || "{count}";
    draw(map, layer, targets, text);
    map.on("zoomend", function () {
      draw(map, layer, targets, text);
    });
    element.setAttribute("data-markers", String(targets.length));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
