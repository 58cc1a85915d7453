// Progressive enhancement of the server-rendered pages. Every feature here has a plain-HTML
// fallback (links and GET forms), so the pages work, and keep their state in the URL, without it.
(function () {
  "use strict";

  document.documentElement.classList.remove("no-js");
  document.documentElement.classList.add("js");

  /** Lower-case and strip accents, so "zele" finds "Zelénsky". */
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  // Facet checkboxes: ticking one goes to the URL the server computed for that toggle.
  function enhanceFacetCheckboxes() {
    const boxes = document.querySelectorAll('.facets-form input[type="checkbox"][data-href]');
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        box.closest(".facet-value").classList.add("is-pending");
        window.location.assign(box.dataset.href);
      });
    });
    // Coming back through the history cache, show the state the URL really has.
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) {
        return;
      }
      boxes.forEach(function (box) {
        box.checked = box.defaultChecked;
        box.closest(".facet-value").classList.remove("is-pending");
      });
    });
  }

  // Forms leave blank fields out of the URL, so permalinks stay short and valid.
  function cleanEmptyFields() {
    document.querySelectorAll("form[data-clean-empty]").forEach(function (form) {
      form.addEventListener("formdata", function (event) {
        const blank = [];
        event.formData.forEach(function (value, name) {
          if (typeof value === "string" && value.trim() === "") {
            blank.push(name);
          }
        });
        blank.forEach(function (name) {
          event.formData.delete(name);
        });
      });
    });
  }

  // A filter box inside long facets narrows the visible values as one types.
  function enhanceFacetFilters() {
    document.querySelectorAll("[data-facet-filter]").forEach(function (input) {
      const facet = input.closest(".facet");
      const rows = Array.from(facet.querySelectorAll(".facet-row"));
      input.hidden = false;
      input.addEventListener("input", function () {
        const needle = fold(input.value);
        rows.forEach(function (row) {
          const name = fold(row.querySelector(".facet-name").textContent);
          row.hidden = needle !== "" && !name.includes(needle);
        });
      });
      // Enter in the filter box must not submit the facet form.
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
        }
      });
    });
  }

  // Histogram: one tab stop with arrow keys between bars, and drag across bars for a range.
  function enhanceHistogram(figure) {
    const svg = figure.querySelector("svg");
    const bars = Array.from(figure.querySelectorAll("a.bar"));
    if (!svg || bars.length === 0) {
      return;
    }
    const keys = { ArrowLeft: -1, ArrowRight: 1, ArrowDown: -1, ArrowUp: 1 };

    bars.forEach(function (bar, i) {
      bar.setAttribute("tabindex", i === 0 ? "0" : "-1");
    });
    svg.addEventListener("keydown", function (event) {
      const at = bars.indexOf(document.activeElement);
      if (at < 0) {
        return;
      }
      let next = at;
      if (event.key in keys) {
        next = Math.min(bars.length - 1, Math.max(0, at + keys[event.key]));
      } else if (event.key === "Home") {
        next = 0;
      } else if (event.key === "End") {
        next = bars.length - 1;
      } else {
        return;
      }
      event.preventDefault();
      bars[at].setAttribute("tabindex", "-1");
      bars[next].setAttribute("tabindex", "0");
      bars[next].focus();
    });

    let first = null;
    let last = null;
    let byPointer = false;

    function barAt(event) {
      const box = svg.getBoundingClientRect();
      const x = Math.min(box.right - 1, Math.max(box.left + 1, event.clientX));
      const hit = document.elementFromPoint(x, box.top + box.height / 2);
      const bar = hit && hit.closest ? hit.closest("a.bar") : null;
      return bar ? bars.indexOf(bar) : -1;
    }

    function paint() {
      const lo = Math.min(first, last);
      const hi = Math.max(first, last);
      bars.forEach(function (bar, i) {
        bar.classList.toggle("is-in-range", first !== null && i >= lo && i <= hi);
      });
    }

    function go(lo, hi) {
      const url = new URL(figure.dataset.baseHref, window.location.href);
      url.searchParams.set("date_from", bars[lo].dataset.from);
      url.searchParams.set("date_to", bars[hi].dataset.to);
      window.location.assign(url.pathname + url.search);
    }

    svg.addEventListener("pointerdown", function (event) {
      const at = barAt(event);
      if (event.button !== 0 || at < 0) {
        return;
      }
      event.preventDefault();
      byPointer = true;
      first = last = at;
      svg.setPointerCapture(event.pointerId);
      figure.classList.add("is-selecting");
      paint();
    });
    svg.addEventListener("pointermove", function (event) {
      if (first === null) {
        return;
      }
      const at = barAt(event);
      if (at >= 0 && at !== last) {
        last = at;
        paint();
      }
    });
    svg.addEventListener("pointerup", function () {
      if (first === null) {
        return;
      }
      const lo = Math.min(first, last);
      const hi = Math.max(first, last);
      first = last = null;
      go(lo, hi);
    });
    svg.addEventListener("pointercancel", function () {
      first = last = null;
      figure.classList.remove("is-selecting");
      paint();
    });
    // The pointer handlers navigate themselves; a keyboard Enter still follows the link.
    svg.addEventListener("click", function (event) {
      if (byPointer) {
        event.preventDefault();
        byPointer = false;
      }
    });
  }

  enhanceFacetCheckboxes();
  cleanEmptyFields();
  enhanceFacetFilters();
  document.querySelectorAll("[data-histogram]").forEach(enhanceHistogram);
})();
