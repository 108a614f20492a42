// Resident portal behaviours; no inline scripts (CSP). Everything works without them too.
(function () {
  // "获取验证码": after a code was sent (or refused), count down until the next may be asked.
  document.querySelectorAll("[data-countdown]").forEach(function (button) {
    var left = parseInt(button.dataset.countdown, 10) || 0;
    var label = button.dataset.againLabel || button.textContent;
    if (left <= 0) return;
    button.disabled = true;
    var tick = function () {
      if (left <= 0) {
        button.disabled = false;
        button.textContent = label;
        return;
      }
      button.textContent = left + " 秒后重新获取";
      left -= 1;
      window.setTimeout(tick, 1000);
    };
    tick();
  });
  // One tap, one submission: a slow mobile network must not file a request twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitting) {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "1";
    var submitter = event.submitter;
    if (submitter && submitter.dataset.busyLabel) {
      submitter.dataset.label = submitter.textContent;
      window.setTimeout(function () {
        submitter.disabled = true;
        submitter.textContent = submitter.dataset.busyLabel;
      }, 0);
    }
  });
  // Back from the next page (bfcache): the form may be used again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      delete form.dataset.submitting;
      form.querySelectorAll("[data-busy-label]").forEach(function (b) {
        b.disabled = false;
        if (b.dataset.label) b.textContent = b.dataset.label;
      });
    });
  });
  // Photos chosen: say how many.
  document.querySelectorAll("input[type=file][data-count-target]").forEach(function (input) {
    input.addEventListener("change", function () {
      var target = document.getElementById(input.dataset.countTarget);
      if (target) target.textContent = input.files.length ? "已选择 " + input.files.length + " 张" : "";
    });
  });
})();
