/* Print buttons (data-print): the Content-Security-Policy refuses onclick="" attributes. */
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
