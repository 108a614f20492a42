// Small behaviours only; no inline scripts (the CSP allows same-origin scripts alone).
document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-autosubmit]");
  if (form) form.requestSubmit ? form.requestSubmit() : form.submit();
});
