/* The background of the portal's maps: tiles from MAP_TILE_URL (by default the PDOK
   BRT-Achtergrondkaart). When no tile can load (offline, blocked), the bundled outline of the
   Netherlands is drawn instead and the page's notice (role=status) says the background map could
   not be loaded; the markers stay where they are. Also the pages' shared helpers: readJson and a
   target's popup. */
(function () {
  "use strict";

  function showOutline(map, config, notice) {
    if (map._ppsOutline) {
      return;
    }
    map._ppsOutline = true;
    map.getContainer().classList.add("map-offline");
    if (notice) {
      notice.hidden = false;
    }
    if (!config.outlineUrl) {
      return;
    }
    fetch(config.outlineUrl, { credentials: "same-origin" })
      .then(function (response) {
        return response.json();
      })
      .then(function (outline) {
        var layer = L.geoJSON(outline, {
          interactive: false,
          style: {
            color: "#154273",
            weight: 2,
            fillColor: "#ffffff",
            fillOpacity: 1,
            className: "nl-outline"
          }
        });
        layer.addTo(map);
        layer.bringToBack();
        map.getContainer().setAttribute("data-outline", "shown");
      })
      .catch(function () {
        /* the notice already says what is missing */
      });
  }

  /* Add the background to ``map``; ``notice`` is the element shown when tiles fail. */
  function background(map, config, notice) {
    var tiles = L.tileLayer(config.tileUrl, { attribution: config.attribution, maxZoom: 19 });
    var loaded = 0;
    var failed = 0;
    tiles.on("tileload", function () {
      loaded += 1;
    });
    tiles.on("tileerror", function () {
      failed += 1;
    });
    /* "load": every tile in view has answered. None came: the background is missing (a tile
       outside the map's coverage failing beside loaded ones is no reason). */
    tiles.on("load", function () {
      if (failed && !loaded) {
        /* Not inside the layer's own "load": Leaflet goes on with the layer after firing it, and
           a layer already taken off the map throws there. */
        setTimeout(function () {
          map.removeLayer(tiles);
          showOutline(map, config, notice);
        }, 0);
      }
    });
    tiles.addTo(map);
    return tiles;
  }

  /* The JSON a page embeds in <script type="application/json" id=...>, or null. */
  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  /* A target's popup: its name linking to its page, then what is known of it in one line. */
  function popup(target) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = target.url;
    link.textContent = target.name;
    var strong = document.createElement("strong");
    strong.appendChild(link);
    box.appendChild(strong);
    var meta = document.createElement("div");
    meta.textContent = [target.category, target.municipality, target.tier, target.gapsText]
      .filter(Boolean)
      .join(" · ");
    box.appendChild(meta);
    return box;
  }

  window.PPSMap = { background: background, readJson: readJson, popup: popup };
})();
