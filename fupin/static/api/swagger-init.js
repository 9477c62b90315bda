// Starts the vendored Swagger UI on /api/docs with the settings fupin/api.py renders into the page.
(function () {
  const config = JSON.parse(document.getElementById("swagger-settings").textContent);
  const csrfToken = document.body.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  // A logged-in browser session may call write endpoints only with Django's CSRF token.
  if (csrfToken) {
    config.requestInterceptor = (request) => {
      request.headers["X-CSRFToken"] = csrfToken;
      return request;
    };
  }
  window.ui = SwaggerUIBundle(config);
})();
