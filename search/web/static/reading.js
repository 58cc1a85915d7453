// Reading an article found by a search: with a script, "Next match" steps through the marked
// words of the query. Without it the marks are there all the same; nothing here is needed.
(function () {
  "use strict";

  function start() {
    const note = document.querySelector(".query-marks");
    const marks = Array.from(document.querySelectorAll(".article-body mark"));
    if (!note || marks.length === 0) {
      return;
    }
    let current = -1;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "next-mark";
    button.textContent = "Next match";
    const status = document.createElement("span");
    status.className = "next-mark-status";
    status.setAttribute("aria-live", "polite");
    button.addEventListener("click", function () {
      if (current >= 0) {
        marks[current].classList.remove("is-current");
      }
      current = (current + 1) % marks.length;
      const mark = marks[current];
      mark.classList.add("is-current");
      mark.setAttribute("tabindex", "-1");
      mark.scrollIntoView({ block: "center" });
      status.textContent = (current + 1) + " of " + marks.length;
    });
    note.appendChild(document.createTextNode(" "));
    note.appendChild(button);
    note.appendChild(status);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
