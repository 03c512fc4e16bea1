// Starts Swagger UI on /api/docs. When the reader is signed in, "Try it out" sends their
// requests with a short-lived bearer token of their own session, asked of /api/docs/token
// (the page never sees the HttpOnly session cookie). Nothing is fetched from another origin:
// the validator badge, which would call validator.swagger.io, is off.
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") { return; }
  var token = null;
  var ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-spec"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    displayRequestDuration: true,
    persistAuthorization: false,
    requestInterceptor: function (request) {
      if (token && !request.headers.Authorization) {
        request.headers.Authorization = "Bearer " + token;
      }
      return request;
    }
  });
  if (root.getAttribute("data-signed-in") !== "true") { return; }
  fetch(root.getAttribute("data-token"), {
    credentials: "same-origin",
    headers: { "Accept": "application/json" }
  }).then(function (response) {
    return response.ok ? response.json() : null;
  }).then(function (body) {
    if (body && body.token) {
      token = body.token;
      ui.preauthorizeApiKey("bearer", token);
      root.setAttribute("data-authorized", "true");
    }
  }).catch(function () { /* the reference still reads without a token */ });
});
