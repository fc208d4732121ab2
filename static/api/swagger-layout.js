/*
 * The layout of Swagger UI on our API documentation page (/api/v1/docs/), chosen with
 * SPECTACULAR_SETTINGS["SWAGGER_UI_SETTINGS"]["layout"]. Swagger UI's BaseLayout wraps the
 * operations in its own <main>; on our page they sit inside the app's <main>, and a second main
 * landmark fails axe. This layout draws the same parts (authorize button, operations, schemas)
 * without it; the page's title and quick start are ours. Loaded as a file between the Swagger UI
 * bundle and drf-spectacular's init script (the CSP allows no inline script).
 */
(function () {
  "use strict";

  const original = window.SwaggerUIBundle;
  if (typeof original !== "function") {
    return;
  }

  const IndberetLayoutPlugin = (system) => {
    const h = system.React.createElement;

    const IndberetLayout = ({ getComponent, specSelectors }) => {
      const status = specSelectors.loadingStatus();
      if (status === "loading" || (!specSelectors.specStr() && status !== "failed")) {
        return h("div", { className: "swagger-ui" }, h("p", { className: "loading-container" }, "…"));
      }
      const Errors = getComponent("errors", true);
      if (status === "failed") {
        return h("div", { className: "swagger-ui" }, h(Errors, null));
      }
      const SvgAssets = getComponent("SvgAssets");
      const AuthorizeBtnContainer = getComponent("AuthorizeBtnContainer", true);
      const Operations = getComponent("operations", true);
      const Models = getComponent("Models", true);
      return h(
        "div",
        { className: "swagger-ui" },
        h(SvgAssets, null),
        h(Errors, null),
        specSelectors.securityDefinitions()
          ? h("div", { className: "scheme-container" }, h("div", { className: "schemes wrapper" }, h(AuthorizeBtnContainer, null)))
          : null,
        h("div", { id: "operations", className: "wrapper" }, h(Operations, null)),
        h("div", { className: "wrapper" }, h(Models, null))
      );
    };

    return { components: { IndberetLayout } };
  };

  window.SwaggerUIBundle = Object.assign(
    (config) => original({ ...config, plugins: [...(config.plugins || []), IndberetLayoutPlugin] }),
    original
  );
})();
