// The front desk's screen (care/reception/desk.html): keyboard-first caller search and entry.
// F2 or "/" focuses the search; ↑↓ move through the live results, Enter picks one, Esc clears;
// Alt+1…6 choose the channel; Ctrl+Enter saves. No inline scripts (CSP).
(function () {
  "use strict";
  const search = document.getElementById("caller-q");
  const form = document.getElementById("entry-form");
  if (!search || !form) return;
  const results = document.getElementById("caller-results");
  const card = document.getElementById("caller-card");
  const customerInput = form.querySelector("input[name=customer]");
  const roomInput = form.querySelector("input[name=room]");
  const chosen = document.getElementById("caller-chosen");
  const chosenName = document.getElementById("caller-chosen-name");
  const subject = form.querySelector("input[name=subject]");
  let active = -1;

  function picks() {
    return Array.from(results.querySelectorAll(".caller-pick"));
  }

  function highlight(index) {
    const items = picks();
    items.forEach((item, i) => {
      item.classList.toggle("active", i === index);
      item.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    active = index;
    if (items[index]) items[index].scrollIntoView({ block: "nearest" });
  }

  function loadCard(url) {
    if (!url) {
      card.innerHTML = "";
      return;
    }
    if (window.htmx) window.htmx.ajax("GET", url, { target: card, swap: "innerHTML" });
  }

  function toggleUnknown(known) {
    form.querySelectorAll(".caller-unknown").forEach((el) => el.classList.toggle("d-none", known));
    chosen.classList.toggle("d-none", !known);
  }

  function pick(button) {
    customerInput.value = button.dataset.customer;
    roomInput.value = button.dataset.room || "";
    const room = button.dataset.roomCode ? " · " + button.dataset.roomCode : "";
    chosenName.textContent = button.dataset.name + room;
    toggleUnknown(true);
    loadCard(button.dataset.cardUrl);
    results.innerHTML = "";
    active = -1;
    subject.focus();
  }

  function clear() {
    customerInput.value = "";
    roomInput.value = "";
    chosenName.textContent = "";
    toggleUnknown(false);
    loadCard("");
    search.value = "";
    results.innerHTML = "";
    search.focus();
  }

  results.addEventListener("click", (event) => {
    const button = event.target.closest(".caller-pick");
    if (button) pick(button);
  });
  document.getElementById("caller-clear").addEventListener("click", clear);

  search.addEventListener("keydown", (event) => {
    const items = picks();
    if (event.key === "ArrowDown" && items.length) {
      event.preventDefault();
      highlight(Math.min(active + 1, items.length - 1));
    } else if (event.key === "ArrowUp" && items.length) {
      event.preventDefault();
      highlight(Math.max(active - 1, 0));
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (items.length) pick(items[Math.max(active, 0)]);
    } else if (event.key === "Escape") {
      clear();
    }
  });
  // A fresh result list starts with nothing highlighted.
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target === results) active = -1;
  });

  document.addEventListener("keydown", (event) => {
    const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName);
    if (event.key === "F2" || (event.key === "/" && !typing)) {
      event.preventDefault();
      search.focus();
      search.select();
    } else if (event.altKey && /^[1-6]$/.test(event.key)) {
      const radios = form.querySelectorAll("input[name=channel]");
      const radio = radios[Number(event.key) - 1];
      if (radio) {
        event.preventDefault();
        radio.checked = true;
      }
    } else if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && form.contains(document.activeElement)) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });

  if (customerInput.value && card.dataset.selectedUrl) loadCard(card.dataset.selectedUrl);
})();

// Recording a need (care/reception/need_form.html): picking a customer from the live search
// reloads the page with that customer chosen.
(function () {
  "use strict";
  const list = document.querySelector(".need-pick-list");
  if (!list) return;
  list.addEventListener("click", (event) => {
    const button = event.target.closest(".caller-pick");
    if (button) window.location.search = "?customer=" + encodeURIComponent(button.dataset.customer);
  });
})();
