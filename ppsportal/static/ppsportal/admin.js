/* The admin, accessible: names for the fields Django's admin leaves without one.
   - a tabular inline's fields are labelled by their column heading only visually: each gets
     the heading as its aria-label;
   - a date-and-time pair (field_0, field_1) gets "<label> (date)" and "<label> (time)";
   - the search field of an autocomplete (select2) is named after its field's label;
   - the filter boxes' magnifier icon carries an aria-label without a role: it becomes an image.
   Nothing is sent or changed; only names for assistive technology. */
(function () {
  "use strict";

  function text(el) {
    return el ? el.textContent.replace(/\s+/g, " ").replace(/[:*]\s*$/, "").trim() : "";
  }

  function labelFor(id) {
    var label = id && document.querySelector('label[for="' + id + '"]');
    return text(label);
  }

  function hasName(el) {
    return el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") ||
      (el.id && document.querySelector('label[for="' + el.id + '"]')) || el.closest("label");
  }

  function nameTabularFields(root) {
    root.querySelectorAll(".tabular table").forEach(function (table) {
      var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), text);
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (field) {
            if (!hasName(field) && headings[index]) {
              field.setAttribute("aria-label", headings[index]);
            }
          });
        });
      });
    });
  }

  function nameSplitDateTimes(root) {
    root.querySelectorAll("input[id$='_0'], input[id$='_1']").forEach(function (field) {
      if (hasName(field)) return;
      var base = field.id.slice(0, -2);
      var row = field.closest(".form-row, .fieldBox");
      var label = labelFor(base) || labelFor(base + "_0") || text(row && row.querySelector("label"));
      if (!label) return;
      var tr = typeof window.gettext === "function" ? window.gettext : function (s) { return s; };
      var part = field.id.slice(-1) === "0" ? tr("Date") : tr("Time");
      field.setAttribute("aria-label", label + " (" + part + ")");
    });
  }

  function nameAutocompletes(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var label = labelFor(select.id);
      var container = select.nextElementSibling;
      if (!label || !container) return;
      container.querySelectorAll(".select2-search__field, [role=combobox], [role=textbox]").forEach(function (el) {
        if (!el.getAttribute("aria-label")) el.setAttribute("aria-label", label);
      });
    });
  }

  function nameIcons(root) {
    root.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  function nameAll() {
    var root = document.getElementById("content") || document.body;
    nameTabularFields(root);
    nameSplitDateTimes(root);
    nameAutocompletes(root);
    nameIcons(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    nameAll();
    // widgets the admin's scripts draw later (select2, filter boxes, added inline rows)
    var pending = false;
    new MutationObserver(function () {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () { pending = false; nameAll(); });
    }).observe(document.getElementById("content") || document.body, {childList: true, subtree: true});
  });
})();
