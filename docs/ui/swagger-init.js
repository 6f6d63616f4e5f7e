// Swagger UI for /api/v1/openapi.json. Everything is served by this host: no CDN, no
// validator badge (validatorUrl null), and "Authorize" uses the OAuth2 password grant at
// /api/v1/auth/token.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    persistAuthorization: false,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
    oauth2RedirectUrl: window.location.origin + "/api/v1/docs/assets/oauth2-redirect.html",
  });
});
