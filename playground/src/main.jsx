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
const TABS_KEY = 'graphiql:tabState';

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
  next.delete('example');
  if (value) {
    next.set(key, value);
  } else {
    next.delete(key);
  }
  const search = next.toString();
  window.history.replaceState(null, '', search ? `${shareUrl.pathname}?${search}` : window.location.pathname);
}

// Same rule as GraphiQL's own tab titles: the first named operation, else the fallback.
function operationName(query) {
  return /^(?!#).*(query|subscription|mutation)\s+([a-zA-Z0-9_]+)/m.exec(query)?.[2] ?? null;
}

function newTab(query, variables, title) {
  const name = operationName(query);
  return {
    id: crypto.randomUUID(),
    title: name || title,
    query,
    variables: variables ?? null,
    headers: null,
    operationName: name,
    response: null,
  };
}

// A share link (?query=) opens in a tab of its own, titled from its operation name or "Shared query";
// ?example=<file stem> makes that example's tab the active one. Both are written into GraphiQL's saved
// tab state before it starts; the query returned is handed to GraphiQL as its initial query, which makes
// GraphiQL activate the saved tab holding it and put it in the editor.
function prepareTabs(storage) {
  const shared = params.get('query');
  const example = params.get('example');
  if (shared === null && example === null) {
    // A first visit opens the first example: GraphiQL takes its editor's variables only from here.
    const first = storage.getItem(TABS_KEY) === null ? config.tabs[0] : undefined;
    return first ? { query: first.query, variables: first.variables ?? null } : null;
  }
  let state = null;
  try {
    state = JSON.parse(storage.getItem(TABS_KEY) ?? 'null');
  } catch {
    state = null;
  }
  if (!state || !Array.isArray(state.tabs)) {
    state = { activeTabIndex: 0, tabs: config.tabs.map((tab) => newTab(tab.query, tab.variables, '<untitled>')) };
  }
  if (shared !== null) {
    const variables = params.get('variables');
    const same = state.tabs.findIndex((tab) => tab.query === shared && (tab.variables ?? null) === variables);
    if (same >= 0) {
      state.activeTabIndex = same;
    } else {
      state.tabs.push(newTab(shared, variables, 'Shared query'));
      state.activeTabIndex = state.tabs.length - 1;
    }
    storage.setItem(TABS_KEY, JSON.stringify(state));
    return { query: shared, variables };
  }
  const wanted = config.tabs.find((tab) => tab.name === example);
  const found = wanted ? state.tabs.findIndex((tab) => tab.query === wanted.query) : -1;
  if (found >= 0) {
    state.activeTabIndex = found;
  } else if (wanted) {
    state.tabs.push(newTab(wanted.query, wanted.variables, '<untitled>'));
    state.activeTabIndex = state.tabs.length - 1;
  }
  storage.setItem(TABS_KEY, JSON.stringify(state));
  return wanted ? { query: wanted.query, variables: wanted.variables ?? null } : null;
}

const storage = storageFor(`parley:${config.tabsVersion}:`);
const opened = prepareTabs(storage);

const fetcher = createGraphiQLFetcher({ url: new URL(config.endpoint, window.location.href).href });

createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {
    fetcher,
    plugins: [explorerPlugin()],
    storage,
    defaultTabs: config.tabs.map((tab) => ({ query: tab.query, variables: tab.variables ?? undefined })),
    defaultQuery: config.tabs.length ? config.tabs[0].query : '{ meta { version } }',
    initialQuery: opened?.query ?? undefined,
    initialVariables: opened?.variables ?? undefined,
    // The Docs pane stays closed until asked for: it would take a third of the window.
    onEditQuery: (value) => updateLink('query', value),
    onEditVariables: (value) => updateLink('variables', value),
    onTabChange: ({ tabs, activeTabIndex }) => {
      updateLink('query', tabs[activeTabIndex]?.query ?? '');
      updateLink('variables', tabs[activeTabIndex]?.variables ?? '');
    },
  }),
);
