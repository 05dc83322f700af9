// k3sstore dashboard: signs in with a bearer token (kept in sessionStorage), reads the store
// API, follows its server-sent-events stream (polling every 30 s when the stream drops) and
// renders with textContent only, so every value from the API is escaped.
"use strict";

(function () {
  const TOKEN_KEY = "k3sstore.token";
  // Polling and stream retries stay inside the default API rate limit (100 requests per 15
  // minutes per user: one more every 9 s once the burst is spent) for as long as the page is
  // open: a detail page polls two routes (2 per 30 s) and retries the stream once a minute,
  // 0.083 requests/s against 0.111 allowed. Refused requests do not use the quota up.
  const POLL_MS = 30000;
  const STREAM_RETRY_MS = 60000;
  // The controller updates its gauges after the status change the stream reports, so the
  // summary (metrics, not the store API) is also read again every 10 s.
  const SUMMARY_MS = 10000;
  const page = document.body.dataset.page;
  const storeId = document.body.dataset.store || null;
  // --insecure-no-auth (loopback demos): the server asks for no token, so neither does the page.
  const noAuth = document.body.dataset.auth === "none";
  const $ = (id) => document.getElementById(id);
  let stores = new Map();
  let pollTimer = null;
  let streamAbort = null;

  function token() { return noAuth ? "none" : sessionStorage.getItem(TOKEN_KEY); }

  // The Authorization header, unless the server asks for none.
  function withToken(headers) {
    if (!noAuth) headers["Authorization"] = "Bearer " + token();
    return headers;
  }

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function setLive(text) { $("live").textContent = text; }

  function showAlert(text) {
    const alert = $("alert");
    alert.textContent = text;
    alert.hidden = !text;
  }

  // Every API call: the token goes in the Authorization header, never in a URL.
  async function api(method, path, body) {
    const headers = withToken({ "Accept": "application/json" });
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit", cache: "no-store",
    });
    let data = null;
    const type = response.headers.get("Content-Type") || "";
    if (type.includes("json")) data = await response.json();
    if (!response.ok) {
      const error = new Error((data && data.message) || response.statusText);
      error.status = response.status;
      error.body = data;
      error.retryAfter = response.headers.get("Retry-After");
      throw error;
    }
    return data;
  }

  // 401 and 403 say who and what; 429 says when to come back.
  function explain(error) {
    if (error.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showSignIn("Not signed in: " + error.message);
      return;
    }
    if (error.status === 403 && error.body && error.body.permission) {
      const p = error.body.permission;
      showAlert("Forbidden: user " + error.body.user + " may not " + p.verb + " " + p.resource +
        (p.name ? " (" + p.name + ")" : "") + ". Ask a cluster admin for this permission.");
      return;
    }
    if (error.status === 429) {
      showAlert("Too many requests: " + error.message + " (retry after " + error.retryAfter + " s).");
      return;
    }
    showAlert("Error: " + error.message);
  }

  function showSignIn(message) {
    stopLive();
    $("sign-in").hidden = false;
    $("content").hidden = true;
    $("sign-out").hidden = true;
    showAlert(message || "");
  }

  function phaseBadge(phase) {
    // Colour and text: the phase name is always written out.
    return el("span", phase, "phase phase-" + phase.toLowerCase());
  }

  function age(created) {
    if (!created) return "";
    const seconds = Math.max(0, Math.round((Date.now() - Date.parse(created)) / 1000));
    if (seconds < 60) return seconds + " s";
    if (seconds < 3600) return Math.floor(seconds / 60) + " min";
    if (seconds < 86400) return Math.floor(seconds / 3600) + " h";
    return Math.floor(seconds / 86400) + " d";
  }

  function link(url) {
    if (!url || !/^https?:\/\//.test(url)) return el("span", url || "");
    const a = el("a", url);
    a.href = url;
    a.rel = "noopener noreferrer";
    return a;
  }

  // The latest Event (reason and note), else the latest condition.
  function lastEvent(store) {
    const e = store.lastEvent;
    if (e) return (e.reason || "") + (e.note ? ": " + e.note : "");
    return lastCondition(store);
  }

  function lastCondition(store) {
    const conditions = (store.conditions || []).slice();
    conditions.sort((a, b) => Date.parse(b.lastTransitionTime) - Date.parse(a.lastTransitionTime));
    const c = conditions[0];
    return c ? c.reason + (c.message ? ": " + c.message : "") : "";
  }

  // ---- list page ----
  function renderList() {
    const body = $("stores");
    body.replaceChildren();
    const ids = Array.from(stores.keys()).sort();
    for (const id of ids) {
      const s = stores.get(id);
      const row = el("tr");
      row.dataset.id = id;
      const idCell = el("th");
      idCell.scope = "row";
      const a = el("a", id);
      a.href = "/stores/" + encodeURIComponent(id);
      idCell.append(a);
      const phase = el("td");
      phase.append(phaseBadge(s.phase));
      const url = el("td");
      url.append(link(s.url));
      const created = el("td");
      const time = el("time", age(s.created) + " ago");
      if (s.created) { time.dateTime = s.created; time.title = s.created; }
      created.append(time);
      const last = el("td", lastEvent(s));
      const actions = el("td");
      const del = el("button", "Delete", "danger");
      del.type = "button";
      del.setAttribute("aria-label", "Delete store " + id);
      del.disabled = s.phase === "Deleting";
      del.addEventListener("click", () => remove(id));
      actions.append(del);
      row.append(idCell, phase, url, created, last, actions);
      body.append(row);
    }
    $("empty").hidden = ids.length > 0;
  }

  async function refreshSummary() {
    try {
      const summary = await api("GET", "/metrics/summary");
      const list = $("summary-list");
      list.replaceChildren();
      const add = (term, value) => { list.append(el("dt", term), el("dd", value)); };
      for (const [phase, count] of Object.entries(summary.active_stores)) add(phase, count);
      add("Created", summary.stores_created);
      add("Failures", summary.provisioning_failures);
      add("Median provisioning time", summary.provisioning_seconds_median == null
        ? "n/a" : summary.provisioning_seconds_median.toFixed(1) + " s");
    } catch (error) { /* the summary is a nicety: the list says what matters */ }
  }

  async function create(event) {
    event.preventDefault();
    const form = event.target;
    for (const node of form.querySelectorAll(".field-error")) node.textContent = "";
    for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    $("create-error").textContent = "";
    const body = { id: form.elements.id.value.trim(), engine: form.elements.engine.value };
    if (form.elements.size.value) body.size = form.elements.size.value;
    try {
      const store = await api("POST", "/api/stores", body);
      stores.set(store.id, store);
      renderList();
      form.reset();
      $("create-error").textContent = "Store " + store.id + " requested.";
    } catch (error) {
      if (error.status === 400 && error.body && error.body.problems) {
        for (const problem of error.body.problems) {
          const field = $("create-" + problem.path + "-error");
          if (field) {
            field.textContent = problem.path + ": " + problem.reason;
            const input = $("create-" + problem.path);
            if (input) input.setAttribute("aria-invalid", "true");
          } else {
            $("create-error").textContent += problem.path + ": " + problem.reason + " ";
          }
        }
      } else if (error.status === 409) {
        $("create-id-error").textContent = "id: " + error.message;
        $("create-id").setAttribute("aria-invalid", "true");
      } else {
        explain(error);
      }
    }
  }

  async function remove(id) {
    if (!window.confirm("Delete store " + id + " and everything in its namespace?")) return;
    try {
      await api("DELETE", "/api/stores/" + encodeURIComponent(id));
      const s = stores.get(id);
      if (s) { s.phase = "Deleting"; render(); }
      if (page === "detail") $("detail-live").textContent = "Deletion asked; the store shows Deleting until it is gone.";
    } catch (error) { explain(error); }
  }

  // ---- detail page ----
  function renderDetail() {
    const s = stores.get(storeId);
    const gone = !s;
    $("detail").hidden = gone;
    $("gone").hidden = !gone;
    if (gone) return;
    $("detail-phase").replaceChildren(phaseBadge(s.phase));
    $("detail-url").replaceChildren(link(s.url));
    $("detail-namespace").textContent = s.namespace;
    $("detail-created").textContent = s.created || "";
    $("detail-requested-by").textContent = s.requestedBy || "(not recorded: created outside the API)";
    $("detail-message").textContent = s.message || "";
    $("detail-message-row").hidden = !s.message;
    const conditions = $("detail-conditions");
    conditions.replaceChildren();
    for (const c of s.conditions || []) {
      const item = el("li");
      item.append(el("strong", c.type + ": " + c.status), el("span", " " + c.reason + (c.message ? " (" + c.message + ")" : "")));
      conditions.append(item);
    }
    $("detail-delete").disabled = s.phase === "Deleting";
  }

  async function refreshEvents() {
    try {
      const events = await api("GET", "/api/stores/" + encodeURIComponent(storeId) + "/events");
      const list = $("timeline");
      list.replaceChildren();
      // Newest first.
      for (const e of events.slice().reverse()) {
        const item = el("li", null, e.type === "Warning" ? "warning" : "");
        const time = el("time", e.time || "");
        if (e.time) time.dateTime = e.time;
        item.append(time, el("strong", " " + (e.reason || "")), el("span", " " + (e.note || "")));
        if (e.count > 1) item.append(el("span", " (" + e.count + " times)"));
        list.append(item);
      }
      $("timeline-empty").hidden = events.length > 0;
    } catch (error) {
      if (error.status !== 404) explain(error);
    }
  }

  function render() {
    if (page === "list") renderList(); else renderDetail();
  }

  // ---- live updates ----
  function apply(kind, data) {
    // The server re-checks the stream's permission and closes it once it is gone.
    if (kind === "closed") { showAlert("Live updates stopped: " + data.reason); return; }
    if (kind === "snapshot") {
      stores = new Map(data.map((s) => [s.id, s]));
    } else if (kind === "applied") {
      stores.set(data.id, data);
    } else if (kind === "deleted") {
      stores.delete(data.id);
    }
    render();
    if (page === "detail" && kind !== "snapshot" && data.id === storeId) refreshEvents();
    if (page === "list") refreshSummary();
  }

  async function poll() {
    try {
      const list = await api("GET", "/api/stores");
      apply("snapshot", list);
      if (page === "detail") refreshEvents();
    } catch (error) { explain(error); }
  }

  function startPolling(reason) {
    if (pollTimer) return;
    setLive("Live stream lost (" + reason + "); polling every " + POLL_MS / 1000 + " s.");
    pollTimer = window.setInterval(poll, POLL_MS);
    poll();
  }

  function stopLive() {
    if (pollTimer) { window.clearInterval(pollTimer); pollTimer = null; }
    if (streamAbort) { streamAbort.abort(); streamAbort = null; }
  }

  // EventSource cannot send an Authorization header, so the stream is read with fetch and
  // parsed here (text/event-stream: "event:" and "data:" lines, a blank line ends an event).
  async function follow() {
    streamAbort = new AbortController();
    try {
      const response = await fetch("/api/watch/stores", {
        headers: withToken({ "Accept": "text/event-stream" }),
        signal: streamAbort.signal, credentials: "omit", cache: "no-store",
      });
      if (!response.ok) {
        const body = (response.headers.get("Content-Type") || "").includes("json") ? await response.json() : null;
        const error = new Error((body && body.message) || response.statusText);
        error.status = response.status; error.body = body; error.retryAfter = response.headers.get("Retry-After");
        throw error;
      }
      if (pollTimer) { window.clearInterval(pollTimer); pollTimer = null; }
      setLive("Live: updates arrive as they happen.");
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let kind = "message";
          const data = [];
          for (const line of block.split("\n")) {
            if (line.startsWith("event:")) kind = line.slice(6).trim();
            else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
          }
          if (data.length) apply(kind, JSON.parse(data.join("\n")));
        }
      }
      throw new Error("the stream ended");
    } catch (error) {
      if (error.name === "AbortError") return;
      if (error.status === 401 || error.status === 403) { explain(error); return; }
      startPolling(error.message);
      // Try the stream again later; polling covers the gap.
      window.setTimeout(() => { if (pollTimer && token()) follow(); }, STREAM_RETRY_MS);
    }
  }

  async function start() {
    $("sign-in").hidden = true;
    $("content").hidden = false;
    $("sign-out").hidden = noAuth;
    showAlert("");
    try {
      if (page === "detail") {
        const s = await api("GET", "/api/stores/" + encodeURIComponent(storeId));
        stores.set(s.id, s);
        render();
        refreshEvents();
      } else {
        apply("snapshot", await api("GET", "/api/stores"));
      }
    } catch (error) {
      if (error.status === 404) { render(); } else { explain(error); return; }
    }
    follow();
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("sign-in-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const input = $("token");
      sessionStorage.setItem(TOKEN_KEY, input.value.trim());
      input.value = "";
      start();
    });
    $("sign-out").addEventListener("click", () => {
      sessionStorage.removeItem(TOKEN_KEY);
      showSignIn("Signed out.");
    });
    if (page === "list") {
      $("create-form").addEventListener("submit", create);
      window.setInterval(() => { if (token()) refreshSummary(); }, SUMMARY_MS);
    }
    if (page === "detail") $("detail-delete").addEventListener("click", () => remove(storeId));
    if (token()) start(); else showSignIn("");
  });
})();
