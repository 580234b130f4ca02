// Dashboard and printable report: the print button (no inline script, so a strict CSP can apply).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
