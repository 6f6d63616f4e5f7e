// ReDoc for /api/v1/openapi.json, from this host only.
window.addEventListener("load", function () {
  Redoc.init("/api/v1/openapi.json", { hideDownloadButton: false, expandResponses: "200,201" }, document.getElementById("redoc"));
});
