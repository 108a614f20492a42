// The resident's questionnaire: a submit button that cannot be pressed twice (the server also
// counts a form once), and the page scrolled to the error message after a refused submit.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector(".survey-form");
  if (form) {
    form.addEventListener("submit", (event) => {
      const button = event.submitter;
      if (button && button.hasAttribute("data-once")) {
        if (form.dataset.sent) { event.preventDefault(); return; }
        form.dataset.sent = "1";
        // keep the button's name/value in the post: disable after the browser has read it
        setTimeout(() => { button.disabled = true; }, 0);
      }
    });
  }
  const error = document.getElementById("survey-error");
  if (error) error.scrollIntoView({ block: "center" });
});
