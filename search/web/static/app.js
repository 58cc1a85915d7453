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

  // --- Changing the search without a reload -------------------------------------------------
  // A ticked box, a chip, a facet's any/all switch, an exclusion, a page size or the dates
  // fetch the page the server would have gone to and swap in its results and filters; the
  // URL follows (pushState), so back and forward, reloads and shared links stay true.

  let pending = null;
  let shownKey = window.location.pathname + window.location.search;

  function region() {
    return document.querySelector("[data-search-region]");
  }

  /** What has focus, so that the same control has it again in the new content. */
  function focusKey(element) {
    if (!element || !element.closest || !element.closest("[data-search-region]")) {
      return null;
    }
    if (element.matches('input[type="checkbox"]')) {
      return { box: [element.name, element.value] };
    }
    if (element.dataset.focusKey) {
      return { key: element.dataset.focusKey };
    }
    return element.id ? { id: element.id } : null;
  }

  function refocus(key) {
    let target = null;
    if (key && key.box) {
      const boxes = document.querySelectorAll('[data-search-region] input[type="checkbox"]');
      target = Array.from(boxes).find(function (box) {
        return box.name === key.box[0] && box.value === key.box[1];
      });
    } else if (key && key.key) {
      target = document.querySelector('[data-focus-key="' + CSS.escape(key.key) + '"]');
    } else if (key && key.id) {
      target = document.getElementById(key.id);
    }
    if (key && !target) {
      target = document.getElementById("results");
    }
    if (target) {
      target.focus();
    }
  }

  function announce(text) {
    let status = document.getElementById("swap-status");
    if (!status) {
      status = document.createElement("p");
      status.id = "swap-status";
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      document.body.appendChild(status);
    }
    status.textContent = text;
  }

  function swapIn(doc, current) {
    const fresh = doc.querySelector("[data-search-region]");
    const panel = current.querySelector("[data-filters-panel]");
    const freshPanel = fresh.querySelector("[data-filters-panel]");
    if (panel && freshPanel) {
      freshPanel.open = panel.open;
    }
    const adopted = document.adoptNode(fresh);
    current.replaceWith(adopted);
    // The query form carries the other parameters along in hidden fields.
    const row = document.querySelector("#search-form .query-row");
    const freshRow = doc.querySelector("#search-form .query-row");
    if (row && freshRow) {
      row.querySelectorAll('input[type="hidden"]').forEach(function (input) {
        input.remove();
      });
      const button = row.querySelector('button[type="submit"]');
      freshRow.querySelectorAll('input[type="hidden"]').forEach(function (input) {
        row.insertBefore(document.adoptNode(input), button);
      });
      // A mistyped date is named under the query box: as the new page names it, or not at all.
      row.parentNode.querySelectorAll("#date-error, #query-error").forEach(function (old) {
        old.remove();
      });
      let after = row;
      freshRow.parentNode.querySelectorAll("#date-error, #query-error").forEach(function (note) {
        const adopted = document.adoptNode(note);
        after.after(adopted);
        after = adopted;
      });
    }
    document.title = doc.title;
    enhanceRegion(adopted);
    const heading = adopted.querySelector("#results-heading");
    if (heading) {
      announce(heading.textContent.replace(/\s+/g, " ").trim());
    }
  }

  /** Show `url` in place; `push` adds a history entry. Anything unexpected: a plain load. */
  function swapTo(url, push) {
    const current = region();
    if (!current || !window.fetch || !window.DOMParser) {
      window.location.assign(url);
      return;
    }
    const key = focusKey(document.activeElement);
    if (pending) {
      pending.abort();
    }
    const controller = new AbortController();
    pending = controller;
    current.setAttribute("aria-busy", "true");
    fetch(url, { headers: { Accept: "text/html" }, signal: controller.signal })
      .then(function (response) {
        return response.text().then(function (text) {
          return { response: response, text: text };
        });
      })
      .then(function (answer) {
        if (controller !== pending) {
          return;
        }
        pending = null;
        const doc = new DOMParser().parseFromString(answer.text, "text/html");
        const live = region();
        if (!answer.response.ok || !doc.querySelector("[data-search-region]") || !live) {
          window.location.assign(url);
          return;
        }
        const shown = new URL(answer.response.url || url, window.location.href);
        shownKey = shown.pathname + shown.search;
        if (push) {
          window.history.pushState({ search: true }, "", shownKey);
        }
        swapIn(doc, live);
        refocus(key);
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") {
          return;
        }
        window.location.assign(url);
      });
  }

  window.addEventListener("popstate", function () {
    const key = window.location.pathname + window.location.search;
    if (key === shownKey || !region()) {
      return; // a jump to #results, or nothing to swap
    }
    swapTo(key, false);
  });

  function plainClick(event) {
    return event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey && !event.altKey;
  }

  function enhanceSwaps() {
    document.addEventListener("change", function (event) {
      const box = event.target;
      if (box.matches && box.matches('[data-search-region] .facet input[type="checkbox"][data-href]')) {
        box.closest(".facet-value").classList.add("is-pending");
        swapTo(box.dataset.href, true);
      } else if (box.matches && box.matches("[data-search-region] select[data-focus-key]")) {
        box.form.requestSubmit();
      }
    });
    document.addEventListener("click", function (event) {
      const link = event.target.closest ? event.target.closest("a[data-swap]") : null;
      if (!link || !plainClick(event) || !link.closest("[data-search-region]")) {
        return;
      }
      event.preventDefault();
      swapTo(link.getAttribute("href"), true);
    });
    document.addEventListener("submit", function (event) {
      const form = event.target;
      if (!form.matches("[data-search-region] form[data-swap-form]")) {
        return;
      }
      event.preventDefault();
      const data = new FormData(form); // blank fields leave in the formdata event below
      const pairs = [];
      data.forEach(function (value, name) {
        const field = form.elements.namedItem(name);
        const fallback = field && field.dataset ? field.dataset.default : undefined;
        if (typeof value === "string" && value.trim() !== "" && value !== fallback) {
          pairs.push([name, value]);
        }
      });
      const query = new URLSearchParams(pairs).toString();
      swapTo("/" + (query ? "?" + query : ""), true);
    });
    // Coming back through the history cache, show the state the URL really has.
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) {
        return;
      }
      document.querySelectorAll(".facets-form input[type=checkbox]").forEach(function (box) {
        box.checked = box.defaultChecked;
        box.closest(".facet-value").classList.remove("is-pending");
      });
    });
  }

  // "/" goes to the search box from anywhere but a field one is typing in.
  function enhanceSlashKey() {
    document.addEventListener("keydown", function (event) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) {
        return;
      }
      const target = event.target;
      if (target.isContentEditable || (target.closest && target.closest("input, textarea, select"))) {
        return;
      }
      const box = document.getElementById("q") || document.getElementById("mini-q");
      if (box) {
        event.preventDefault();
        box.focus();
        box.select();
      }
    });
  }

  // On a wide screen the filters are a sidebar, never folded.
  function openWideFilters(root) {
    const panel = root.querySelector("[data-filters-panel]");
    if (panel && window.matchMedia("(min-width: 52.0625rem)").matches) {
      panel.open = true;
    }
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

  /** The URL with one value of a facet ticked or unticked, from page 1. */
  function toggledHref(name, value, selected) {
    const params = new URLSearchParams(window.location.search);
    const kept = params.getAll(name).filter(function (v) {
      return fold(v) !== fold(value);
    });
    params.delete(name);
    params.delete("page");
    params.delete("cursor");
    kept.forEach(function (v) {
      params.append(name, v);
    });
    if (!selected) {
      params.append(name, value);
    }
    return "/?" + params.toString();
  }

  function countText(count) {
    return count.toLocaleString("en").replace(/,/g, "\u202f");
  }

  function foundRow(name, row) {
    const item = document.createElement("li");
    item.className = "facet-row";
    const label = document.createElement("label");
    label.className = "facet-value" + (row.selected ? " is-selected" : "");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = name;
    box.value = row.value;
    box.checked = row.selected;
    box.dataset.href = toggledHref(name, row.value, row.selected);
    const text = document.createElement("span");
    text.className = "facet-name";
    text.textContent = row.label || row.value;
    const count = document.createElement("span");
    count.className = "facet-count";
    count.textContent = countText(row.count);
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " articles";
    count.appendChild(hidden);
    label.append(box, text, count);
    item.appendChild(label);
    return item;
  }

  // A facet's filter box finds any of its values within the results, not only those listed:
  // it asks the API for the facet's values containing the text, under the same search.
  function enhanceFacetFilters(root) {
    root.querySelectorAll("[data-facet-filter]").forEach(function (input) {
      const facet = input.closest(".facet");
      const name = facet.dataset.facet;
      const listed = facet.querySelector(".facet-values:not(.facet-found)");
      const found = facet.querySelector(".facet-found");
      const status = facet.querySelector(".facet-found-status");
      const rows = Array.from(listed.querySelectorAll(".facet-row"));
      let timer = 0;
      let controller = null;
      input.hidden = false;

      function reset() {
        if (controller) {
          controller.abort();
        }
        found.replaceChildren();
        found.hidden = true;
        status.hidden = true;
        status.textContent = "";
        listed.hidden = false;
        narrow("");
      }

      // At once, among the values listed; the values of the whole results follow.
      function narrow(text) {
        const needle = fold(text);
        rows.forEach(function (row) {
          const value = fold(row.querySelector(".facet-name").textContent);
          row.hidden = needle !== "" && !value.includes(needle);
        });
      }

      function show(text, rows) {
        const needle = fold(text);
        const shown = rows.filter(function (row) {
          return row.count > 0 && fold(row.label || row.value).includes(needle);
        });
        found.replaceChildren.apply(
          found,
          shown.map(function (row) {
            return foundRow(name, row);
          })
        );
        listed.hidden = true;
        found.hidden = shown.length === 0;
        status.hidden = false;
        const what = facet.dataset.label;
        status.textContent =
          (shown.length ? shown.length + " " + (shown.length === 1 ? facet.dataset.one : what) : "No " + what) +
          " matching \u201c" + text + "\u201d in these results";
      }

      function look(text) {
        if (controller) {
          controller.abort();
        }
        controller = new AbortController();
        const url = new URL(facet.dataset.lookup, window.location.href);
        url.searchParams.set("facet_contains", text);
        fetch(url, { headers: { Accept: "application/json" }, signal: controller.signal })
          .then(function (response) {
            if (!response.ok) {
              throw new Error("lookup failed: " + response.status);
            }
            return response.json();
          })
          .then(function (body) {
            if (input.value.trim() === text) {
              show(text, (body.facets && body.facets[name]) || []);
            }
          })
          .catch(function (error) {
            if (error && error.name !== "AbortError") {
              status.hidden = false;
              status.textContent = "The " + facet.dataset.label + " could not be looked up just now.";
            }
          });
      }

      input.addEventListener("input", function () {
        window.clearTimeout(timer);
        const text = input.value.trim();
        if (text === "") {
          reset();
          return;
        }
        narrow(text);
        timer = window.setTimeout(function () {
          look(text);
        }, 250);
      });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault(); // must not submit the facet form
        } else if (event.key === "ArrowDown") {
          const list = found.hidden ? listed : found;
          const first = list.querySelector('input[type="checkbox"]');
          if (first) {
            event.preventDefault();
            first.focus();
          }
        } else if (event.key === "Escape" && input.value !== "") {
          input.value = "";
          reset();
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
      swapTo(url.pathname + url.search, true);
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

  function enhanceRegion(root) {
    openWideFilters(root);
    enhanceFacetFilters(root);
    root.querySelectorAll("[data-histogram]").forEach(enhanceHistogram);
  }

  enhanceSwaps();
  enhanceSlashKey();
  cleanEmptyFields();
  enhanceRegion(document);
})();
