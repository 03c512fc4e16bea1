// Uploads evidence with a progress bar. Without this script the form still works.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var bar = document.getElementById(form.getAttribute("data-progress"));
    var button = form.querySelector("button[type=submit]");
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable && bar) { bar.hidden = false; bar.value = Math.round(100 * e.loaded / e.total); }
    });
    request.addEventListener("load", function () {
      if (request.status < 400 && request.responseURL) {
        window.location.assign(request.responseURL);
      } else {
        document.open();
        document.write(request.responseText);
        document.close();
      }
    });
    request.addEventListener("error", function () { if (button) { button.disabled = false; } });
    if (button) { button.disabled = true; }
    request.send(new FormData(form));
  });
});
