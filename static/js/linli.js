// Small behaviours only; no inline scripts (the CSP allows same-origin scripts alone).
document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-autosubmit]");
  if (form) form.requestSubmit ? form.requestSubmit() : form.submit();
});
// Confirm irreversible actions: <button data-confirm="…">.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});
