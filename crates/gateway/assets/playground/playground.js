// Starts GraphiQL on the page's container: a file of its own, not an
// inline script, so that the page's CSP can stay `script-src 'self'`.
// React, ReactDOM and GraphiQL are the UMD globals the page loaded before.
(function () {
  "use strict";
  var container = document.getElementById("graphiql");
  // The endpoint comes from the page, so that the server alone decides it.
  var fetcher = GraphiQL.createFetcher({ url: container.dataset.endpoint });
  ReactDOM.createRoot(container).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
    })
  );
})();
