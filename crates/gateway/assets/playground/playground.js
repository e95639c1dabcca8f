// Starts GraphiQL on the page's container: a file of its own, not an
// inline script, so that the page's CSP can stay `script-src 'self'`.
// React, ReactDOM, GraphiQL and graphqlWs are the UMD globals the page
// loaded before.
(function () {
  "use strict";
  var container = document.getElementById("graphiql");
  // The endpoints come from the page, so that the server alone decides them.
  var http = GraphiQL.createFetcher({ url: container.dataset.endpoint });
  var socketUrl = new URL(container.dataset.subscriptions, window.location.href);
  socketUrl.protocol = socketUrl.protocol === "https:" ? "wss:" : "ws:";

  // Whether the operation GraphiQL runs is a subscription: from the parsed
  // document when GraphiQL passes it, else from the text.
  function isSubscription(params, opts) {
    var doc = opts && opts.documentAST;
    if (doc && doc.definitions) {
      var operations = doc.definitions.filter(function (d) {
        return d.kind === "OperationDefinition";
      });
      var chosen = operations.length === 1 ? operations[0] : operations.find(function (d) {
        return d.name && d.name.value === params.operationName;
      });
      return Boolean(chosen) && chosen.operation === "subscription";
    }
    var text = (params.query || "").replace(/#[^\n]*/g, "");
    return /^\s*subscription\b/.test(text);
  }

  // The headers tab's Authorization goes into `connection_init`, which is
  // where the server authenticates a socket.
  function connectionParams(headers) {
    var params = {};
    Object.keys(headers || {}).forEach(function (name) {
      if (name.toLowerCase() === "authorization") {
        params.Authorization = headers[name];
      }
    });
    return params;
  }

  // A close frame says why the server ended the connection (4403: the
  // token is missing, wrong or expired; 4008: the client fell behind).
  function describe(error) {
    if (error && typeof error.code === "number") {
      return new Error(
        "the server closed the subscription's connection: " + error.code + " " + (error.reason || "")
      );
    }
    return error;
  }

  // One connection per subscription, with the headers of the moment it
  // starts, closed when it ends or is stopped.
  function subscribe(params, headers) {
    var client = graphqlWs.createClient({
      url: socketUrl.href,
      connectionParams: connectionParams(headers),
      retryAttempts: 0,
    });
    var events = client.iterate({
      query: params.query,
      variables: params.variables,
      operationName: params.operationName,
    });
    var end = function () {
      client.dispose();
    };
    var stream = {
      next: function () {
        return events.next().then(
          function (item) {
            if (item.done) end();
            return item;
          },
          function (error) {
            end();
            throw describe(error);
          }
        );
      },
      return: function () {
        var stopped = events.return ? events.return() : Promise.resolve({ done: true });
        end();
        return stopped;
      },
    };
    stream[Symbol.asyncIterator] = function () {
      return stream;
    };
    return stream;
  }

  function fetcher(params, opts) {
    if (isSubscription(params, opts)) {
      return subscribe(params, opts && opts.headers);
    }
    return http(params, opts);
  }

  // What GraphiQL leaves out for a screen reader (axe-core, in
  // tests/browser/playground.rs): names for CodeMirror's hidden textareas,
  // and a tab bar whose tabs are the buttons a person focuses, not the list
  // items around them (a focusable control inside a tab is not allowed).
  function label(textarea) {
    var tool = textarea.closest(".graphiql-editor-tool");
    if (textarea.closest(".graphiql-query-editor")) return "Query";
    if (textarea.closest(".result-window")) return "Response";
    if (tool) {
      var editor = textarea.closest(".graphiql-editor");
      return Array.prototype.indexOf.call(tool.querySelectorAll(".graphiql-editor"), editor) === 0
        ? "Variables"
        : "Headers";
    }
    return "Editor";
  }
  function repair() {
    container.querySelectorAll(".CodeMirror textarea:not([aria-label])").forEach(function (t) {
      t.setAttribute("aria-label", label(t));
    });
    container.querySelectorAll("li.graphiql-tab[role='tab']").forEach(function (li) {
      var button = li.querySelector(".graphiql-tab-button");
      if (!button) return;
      button.setAttribute("role", "tab");
      button.setAttribute("aria-selected", li.getAttribute("aria-selected") || "false");
      li.setAttribute("role", "presentation");
      li.removeAttribute("aria-selected");
    });
  }
  new MutationObserver(repair).observe(container, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["role", "aria-selected"],
  });

  ReactDOM.createRoot(container).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
    })
  );
})();
