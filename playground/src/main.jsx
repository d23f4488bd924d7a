// parley's GraphiQL playground: GraphiQL 5 with the query explorer, served from the app itself.
// The page embeds its settings as JSON in <script id="parley-playground-config">.
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import { GraphiQL } from 'graphiql';
import React from 'react';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';

const config = JSON.parse(document.getElementById('parley-playground-config').textContent);
const assets = new URL(config.assetsUrl, window.location.href);

// Monaco runs its language services in web workers, bundled next to this file at install time.
globalThis.MonacoEnvironment = {
  getWorker(_workerId, label) {
    const name = label === 'json' ? 'json' : label === 'graphql' ? 'graphql' : 'editor';
    return new Worker(new URL(`${name}.worker.js`, assets));
  },
};

const params = new URLSearchParams(window.location.search);

// GraphiQL restores saved tabs over the default ones; keying its storage by the example set means a
// browser that saw older examples opens the current ones instead of its stale tabs.
function storageFor(prefix) {
  const own = () => Object.keys(localStorage).filter((key) => key.startsWith(prefix));
  return {
    getItem: (key) => localStorage.getItem(prefix + key),
    setItem: (key, value) => localStorage.setItem(prefix + key, value),
    removeItem: (key) => localStorage.removeItem(prefix + key),
    clear: () => own().forEach((key) => localStorage.removeItem(key)),
    get length() {
      return own().length;
    },
  };
}

// Keep ?query= (and ?variables=) in step with the editor so the address bar holds a shareable link.
// The link points at the page's share path: there ?query= opens the query, while GET /graphql?query= runs it.
const shareUrl = new URL(config.shareUrl, window.location.href);
function updateLink(key, value) {
  const next = new URLSearchParams(window.location.search);
  if (value) {
    next.set(key, value);
  } else {
    next.delete(key);
  }
  const search = next.toString();
  window.history.replaceState(null, '', search ? `${shareUrl.pathname}?${search}` : window.location.pathname);
}

const fetcher = createGraphiQLFetcher({ url: new URL(config.endpoint, window.location.href).href });

createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {
    fetcher,
    plugins: [explorerPlugin()],
    storage: storageFor(`parley:${config.tabsVersion}:`),
    defaultTabs: config.tabs,
    defaultQuery: config.tabs.length ? config.tabs[0].query : '{ meta { version } }',
    initialQuery: params.get('query') ?? undefined,
    initialVariables: params.get('variables') ?? undefined,
    visiblePlugin: 'Documentation Explorer',
    onEditQuery: (value) => updateLink('query', value),
    onEditVariables: (value) => updateLink('variables', value),
    onTabChange: ({ tabs, activeTabIndex }) => {
      updateLink('query', tabs[activeTabIndex]?.query ?? '');
      updateLink('variables', tabs[activeTabIndex]?.variables ?? '');
    },
  }),
);
