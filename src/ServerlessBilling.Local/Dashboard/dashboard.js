// The live dashboard. It reads only the public HTTP API (docs/api.md), so the same files work served by the local
// host or as static files beside a Functions app (config.js or ?apiBase= names the API). No build step, no library.
"use strict";

(() => {
  const config = window.dashboardConfig || {};
  const query = new URLSearchParams(location.search);
  const apiBase = (query.get("apiBase") ?? config.apiBase ?? "").replace(/\/+$/, "");
  const pollMs = Math.max(250, Number(query.get("pollMs") ?? config.pollMs ?? 1000));
  const maxAccounts = Math.max(1, Number(config.maxAccounts ?? 200));
  const invoicesEveryMs = 5000;
  const usageEveryMs = 2000;
  const periodPage = 10000; // the most usage the API gives a page: what "Usage by destination" counts
  const latestShown = 15;
  const keyStorage = "serverlessBilling.adminKey";

  const $ = (id) => document.getElementById(id);

  /** An answer of the API other than 2xx, or no answer at all (status 0). */
  class ApiError extends Error {
    constructor(status, detail, path) {
      super(detail);
      this.status = status;
      this.path = path;
    }
  }

  async function api(path, { blob = false } = {}) {
    const headers = { Accept: blob ? "*/*" : "application/json" };
    const key = sessionStorage.getItem(keyStorage);
    if (key) headers["x-functions-key"] = key;
    let response;
    try {
      response = await fetch(apiBase + path, { headers, cache: "no-store" });
    } catch {
      throw new ApiError(0, `cannot reach the API at ${apiBase || location.origin}`, path);
    }
    if (response.ok) return blob ? response.blob() : response.json();
    let detail = response.statusText;
    try {
      const problem = await response.json();
      detail = problem.detail || problem.title || detail;
    } catch { /* not problem+json: keep the status text */ }
    throw new ApiError(response.status, detail, path);
  }

  const enc = encodeURIComponent;

  // ---- formatting ------------------------------------------------------------------------------------------------

  const esc = (value) => String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

  const moneyFormats = new Map();
  /** An amount in its currency: 2 decimals, or up to maxDigits where a charge has sub-penny digits. */
  function money(amount, currency, maxDigits = 2) {
    if (amount === null || amount === undefined) return "—";
    const key = `${currency}|${maxDigits}`;
    if (!moneyFormats.has(key)) {
      const minimumFractionDigits = Math.min(2, maxDigits);
      try {
        moneyFormats.set(key, new Intl.NumberFormat("en-GB", { style: "currency", currency, minimumFractionDigits, maximumFractionDigits: maxDigits }));
      } catch {
        moneyFormats.set(key, { format: (n) => `${n.toFixed(maxDigits)} ${currency}` });
      }
    }
    return moneyFormats.get(key).format(amount);
  }

  const integer = new Intl.NumberFormat("en-GB");
  const percent = (ratio) => `${Math.round(ratio * 100)}%`;

  function clock(iso) {
    const d = new Date(iso);
    const sameDay = d.toDateString() === new Date().toDateString();
    const time = d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    return sameDay ? time : `${d.toLocaleDateString("en-GB", { day: "numeric", month: "short" })} ${time}`;
  }

  const day = (iso) => new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });

  function ago(iso) {
    const seconds = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
    if (seconds < 60) return `${seconds} s ago`;
    if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
    if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
    return `${Math.floor(seconds / 86400)} d ago`;
  }

  function duration(seconds) {
    const m = Math.floor(seconds / 60);
    const s = seconds % 60;
    return m > 0 ? `${m}:${String(s).padStart(2, "0")}` : `${s} s`;
  }

  const alertLabels = {
    THRESHOLD_REACHED: (a) => `Threshold ${a.threshold !== null ? percent(a.threshold) : ""}`.trim(),
    VELOCITY_ANOMALY: () => "Velocity anomaly",
    ACCOUNT_SUSPENDED: () => "Suspended",
    GRANT_OVERRUN: () => "Grant overrun",
  };
  const alertLabel = (a) => (alertLabels[a.type] ?? (() => a.type))(a);

  // ---- state -----------------------------------------------------------------------------------------------------

  const state = {
    accounts: [], // from GET /api/accounts
    more: false, // more accounts than shown
    balances: new Map(), // accountId -> GET /api/accounts/{id}/balance
    alerts: [],
    seenAlerts: null, // alert ids already shown (null until the first read: nothing flashes on load)
    invoices: new Map(), // accountId -> invoices
    invoicesAt: 0,
    usage: null, // { accountId, at, latest, period }: the latest calls (newest first) and the period's first page (oldest first)
    updatedAt: null,
  };
  let timer = null;
  let waitingForKey = false;

  async function listAccounts() {
    const accounts = [];
    let continuation = null;
    do {
      const page = await api(`/api/accounts?limit=100${continuation ? `&continuation=${enc(continuation)}` : ""}`);
      accounts.push(...page.accounts);
      continuation = page.continuation ?? null;
    } while (continuation && accounts.length < maxAccounts);
    return { accounts: accounts.slice(0, maxAccounts), more: Boolean(continuation) || accounts.length > maxAccounts };
  }

  /** The balance answer carries what the listing does not: monitoring's rolling windows and spend of the limit. */
  async function balanceOf(accountId) {
    try {
      return await api(`/api/accounts/${enc(accountId)}/balance`);
    } catch (error) {
      if (error.status === 404) return null; // deleted between the listing and this read
      throw error;
    }
  }

  const invoicesOf = (accountId) => api(`/api/accounts/${enc(accountId)}/invoices`).then((list) => list.items, () => []);

  /**
   * One round trip for what changes every second: the listing, the alerts and the balances of the accounts already
   * known are read at once; only an account new to the listing costs a second read.
   */
  async function refresh() {
    const known = state.accounts.map((a) => a.accountId);
    const invoicesDue = Date.now() - state.invoicesAt > invoicesEveryMs;
    const [listing, alerts, knownBalances, knownInvoices] = await Promise.all([
      listAccounts(),
      api("/api/alerts?limit=50"),
      Promise.all(known.map(balanceOf)),
      invoicesDue ? Promise.all(known.map(invoicesOf)) : null,
    ]);
    const balances = new Map(known.map((id, i) => [id, knownBalances[i]]));
    const added = listing.accounts.map((a) => a.accountId).filter((id) => !balances.has(id));
    const addedBalances = await Promise.all(added.map(balanceOf));
    added.forEach((id, i) => balances.set(id, addedBalances[i]));
    state.accounts = listing.accounts;
    state.more = listing.more;
    state.balances = balances;
    state.alerts = alerts.items;
    if (knownInvoices) {
      state.invoices = new Map(known.map((id, i) => [id, knownInvoices[i]]));
      state.invoicesAt = Date.now();
    }
    if (added.length > 0) {
      const addedInvoices = await Promise.all(added.map(invoicesOf));
      added.forEach((id, i) => state.invoices.set(id, addedInvoices[i]));
    }
    const route = currentRoute();
    if (route.accountId) await refreshUsage(route.accountId);
    state.updatedAt = new Date();
  }

  async function refreshUsage(accountId) {
    const balance = state.balances.get(accountId) ?? (await balanceOf(accountId));
    if (!balance) {
      state.usage = { accountId, at: Date.now(), latest: null, period: null };
      return;
    }
    if (state.usage?.accountId === accountId && Date.now() - state.usage.at < usageEveryMs) return;
    const usage = `/api/accounts/${enc(accountId)}/usage?from=${enc(balance.periodStart)}`;
    // The latest calls are one small page newest first, however many calls the period holds; the figures by destination
    // count the period's first page, which says when there are more (continuation): then they say they are partial.
    const [latest, period] = await Promise.all([api(`${usage}&order=newest&limit=${latestShown}`), api(`${usage}&limit=${periodPage}`)]);
    state.usage = { accountId, at: Date.now(), latest, period };
  }

  // ---- the loop --------------------------------------------------------------------------------------------------

  async function tick() {
    timer = null;
    const started = Date.now();
    try {
      await refresh();
      showProblem(null);
      setConnection(true);
      render();
    } catch (error) {
      setConnection(false, error);
      if (error.status === 401 || error.status === 403) {
        askForKey(error);
        return; // polling resumes when a key is given
      }
      showProblem(describe(error));
    }
    schedule(Math.max(0, pollMs - (Date.now() - started))); // a steady rate: a slow read does not stretch the period
  }

  function schedule(delay = pollMs) {
    if (timer === null && !waitingForKey) timer = setTimeout(tick, delay);
  }

  function describe(error) {
    if (error.status === 0) return `${error.message}; retrying every ${pollMs / 1000} s.`;
    if (error.status === 404 && error.path?.startsWith("/api/accounts?")) {
      return "This API has no account listing (GET /api/accounts): the dashboard needs a platform version that has it.";
    }
    return `The API answered ${error.status} to ${error.path}: ${error.message}`;
  }

  function showProblem(text) {
    const box = $("problem");
    box.hidden = !text;
    box.textContent = text ?? "";
  }

  function setConnection(ok, error) {
    const el = $("connection");
    el.classList.toggle("ok", ok);
    el.classList.toggle("down", !ok);
    el.textContent = ok ? `live · updated ${state.updatedAt.toLocaleTimeString("en-GB")}` : error.status === 0 ? "offline" : `error ${error.status}`;
  }

  // ---- keys ------------------------------------------------------------------------------------------------------

  function askForKey(error) {
    waitingForKey = true;
    const had = sessionStorage.getItem(keyStorage) !== null;
    const message = error.status === 403
      ? "That key was refused (403): it is not an admin key. A switch key may only call credit control and balance; the dashboard needs an admin key."
      : had
        ? `The key was refused (401: ${error.message}). Enter an admin key of this platform.`
        : "This platform has API keys: enter an admin key (one of the host's Auth:AdminKeys) to see it.";
    $("key-message").textContent = message;
    $("key-dialog").classList.toggle("refused", had);
    showProblem(error.status === 403 ? "403 Forbidden: the key in use is not an admin key." : "401 Unauthorized: an admin key is needed.");
    const dialog = $("key-dialog");
    if (!dialog.open) dialog.showModal();
    $("key-input").focus();
  }

  $("key-form").addEventListener("submit", () => {
    const key = $("key-input").value.trim();
    if (!key) return;
    sessionStorage.setItem(keyStorage, key);
    $("key-input").value = "";
    waitingForKey = false;
    updateKeyButton();
    schedule(0);
  });

  $("key-dialog").addEventListener("cancel", (event) => event.preventDefault()); // nothing to show without a key

  $("forget-key").addEventListener("click", () => {
    sessionStorage.removeItem(keyStorage);
    updateKeyButton();
    if (timer !== null) clearTimeout(timer);
    timer = null;
    schedule(0);
  });

  function updateKeyButton() {
    $("forget-key").hidden = sessionStorage.getItem(keyStorage) === null;
  }

  // Invoice documents need the key too, which a plain link cannot send: read them with it and open the result.
  document.addEventListener("click", async (event) => {
    const link = event.target.closest("a[data-document]");
    if (!link || !sessionStorage.getItem(keyStorage)) return;
    event.preventDefault();
    const target = link.dataset.format === "pdf" ? null : window.open("", "_blank");
    try {
      const blob = await api(link.dataset.document, { blob: true });
      const url = URL.createObjectURL(blob);
      if (target) {
        target.location = url;
      } else {
        const save = document.createElement("a");
        save.href = url;
        save.download = link.dataset.filename;
        save.click();
      }
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (error) {
      target?.close();
      showProblem(describe(error));
    }
  });

  // ---- routing ---------------------------------------------------------------------------------------------------

  function currentRoute() {
    const match = /^#\/accounts\/([^/?#]+)/.exec(location.hash);
    return { accountId: match ? decodeURIComponent(match[1]) : null };
  }

  window.addEventListener("hashchange", () => {
    state.usage = null;
    render();
    if (timer !== null) clearTimeout(timer);
    timer = null;
    schedule(0);
  });

  // ---- rendering -------------------------------------------------------------------------------------------------

  function render() {
    const route = currentRoute();
    $("overview").hidden = Boolean(route.accountId);
    $("account-view").hidden = !route.accountId;
    if (route.accountId) {
      renderAccount(route.accountId);
    } else {
      renderSummary();
      renderAccounts();
      renderAlerts($("alerts"), state.alerts.slice(0, 12), true);
      renderInvoices($("invoices"), recentInvoices(10), true);
    }
    state.seenAlerts = new Set(state.alerts.map((a) => a.alertId));
  }

  /** Replaces an element's content only when it changed, so that hover and selection survive a poll. */
  function setHtml(element, html) {
    if (element.dataset.html !== html) {
      element.innerHTML = html;
      element.dataset.html = html;
    }
  }

  function renderSummary() {
    const balances = [...state.balances.values()].filter(Boolean);
    const active = balances.reduce((n, b) => n + b.activeSessions, 0);
    const suspended = balances.filter((b) => b.status === "suspended").length;
    const overLimit = balances.filter((b) => b.monitoring?.status === "over-limit").length;
    const hourAgo = Date.now() - 3600_000;
    const recentAlerts = state.alerts.filter((a) => new Date(a.raisedAt).getTime() >= hourAgo).length;
    const spendByCurrency = new Map();
    for (const b of balances) spendByCurrency.set(b.currency, (spendByCurrency.get(b.currency) ?? 0) + b.periodSpend);
    const spend = [...spendByCurrency].map(([c, n]) => money(n, c)).join(" · ") || "—";
    const tile = (label, value, cls = "") => `<div class="tile ${cls}"><span>${esc(label)}</span><strong>${value}</strong></div>`;
    setHtml($("summary"), [
      tile("Accounts", integer.format(state.accounts.length) + (state.more ? "+" : "")),
      tile("Active calls", integer.format(active), active > 0 ? "busy" : ""),
      tile("Period spend", esc(spend)),
      tile("Over limit", integer.format(overLimit), overLimit > 0 ? "warn" : ""),
      tile("Suspended", integer.format(suspended), suspended > 0 ? "bad" : ""),
      tile("Alerts, last hour", integer.format(recentAlerts), recentAlerts > 0 ? "warn" : ""),
    ].join(""));
  }

  function renderAccounts() {
    $("accounts-note").textContent = state.more ? `(the first ${state.accounts.length})` : "";
    const rows = state.accounts.map((a) => accountRow(a, state.balances.get(a.accountId)));
    setHtml($("accounts").tBodies[0], rows.join("") || `<tr><td colspan="9" class="empty">No accounts yet: PUT /api/accounts/{id} creates one.</td></tr>`);
  }

  function statusBadge(status, monitoringStatus) {
    if (status === "suspended") return `<span class="badge bad">SUSPENDED</span>`;
    if (monitoringStatus === "over-limit") return `<span class="badge warn">over limit</span>`;
    return `<span class="badge ok">${esc(status)}</span>`;
  }

  const modeLabel = (mode) => (mode === "prepaid" ? "pre-paid" : mode === "postpaid" ? "post-paid" : mode);

  function accountRow(a, b) {
    const status = b?.status ?? a.status;
    const anomaly = hasVelocityAnomaly(a.accountId);
    const rowClass = [status === "suspended" ? "suspended" : "", b?.monitoring?.status === "over-limit" ? "over-limit" : ""].join(" ").trim();
    const available = (b ?? a).available;
    return `<tr class="${rowClass}" data-account="${esc(a.accountId)}" data-status="${esc(status)}">
      <td title="${esc(a.name ? `${a.name} (${a.accountId})` : a.accountId)}"><a class="account-link" href="#/accounts/${esc(enc(a.accountId))}">${esc(a.name || a.accountId)}</a><small>${esc(a.accountId)}</small></td>
      <td><span class="mode">${esc(modeLabel(a.mode))}</span></td>
      <td>${statusBadge(status, b?.monitoring?.status)}</td>
      <td class="num">${money((b ?? a).balance, a.currency)}</td>
      <td class="num">${money((b ?? a).reserved, a.currency)}</td>
      <td class="num" ${available === null ? 'title="no hard limit: calls are not held to a limit"' : ""}>${available === null ? "no limit" : money(available, a.currency)}</td>
      <td class="spend-col">${spendBar(a, b)}</td>
      <td class="num velocity">${velocity(a, b, anomaly)}</td>
      <td class="num calls">${integer.format((b ?? a).activeSessions)}</td>
    </tr>`;
  }

  /** Spend against the limit: post-paid against the credit limit, pre-paid against the last credit given. */
  function spendBar(a, b) {
    const spend = (b ?? a).periodSpend;
    const ratio = b?.monitoring?.spendOfLimit ?? (a.creditLimit ? spend / a.creditLimit : null);
    const limitText = a.mode === "postpaid"
      ? a.creditLimit ? ` of ${money(a.creditLimit, a.currency, 0)}` : ""
      : " of credit";
    if (ratio === null || ratio === undefined) {
      return `<div class="spend"><div class="spend-text"><span>${money(spend, a.currency)}</span><span class="muted">no limit</span></div></div>`;
    }
    const thresholds = b?.monitoring?.thresholds ?? [0.5, 0.8, 1];
    const suspendAt = b?.monitoring?.suspendAt ?? null;
    // The bar reaches past the limit when spend or the suspension point does, so that the limit mark stays visible.
    const scale = Math.min(2, Math.max(1, ratio, suspendAt ?? 0));
    const at = (r) => `${(Math.min(r, scale) / scale) * 100}%`;
    const level = ratio >= 1 ? "over" : ratio >= 0.8 ? "high" : ratio >= 0.5 ? "mid" : "low";
    const ticks = thresholds.map((t) => `<i class="tick${t === 1 ? " limit" : ""}" style="left:${at(t)}" title="alert at ${percent(t)}"></i>`).join("")
      + (suspendAt ? `<i class="tick suspend" style="left:${at(suspendAt)}" title="suspend at ${percent(suspendAt)}"></i>` : "");
    return `<div class="spend" title="${esc(`${money(spend, a.currency)} spent this period, ${percent(ratio)} of the ${a.mode === "postpaid" ? "credit limit" : "last credit given"}`)}">
      <div class="spend-text"><span>${money(spend, a.currency)}<span class="muted">${esc(limitText)}</span></span><strong class="${level}">${percent(ratio)}</strong></div>
      <div class="bar spend-bar" role="meter" aria-valuenow="${ratio.toFixed(4)}" aria-valuemin="0" aria-valuemax="${scale}" data-ratio="${ratio.toFixed(4)}">
        <b class="${level}" style="width:${at(ratio)}"></b>${ticks}
      </div>
    </div>`;
  }

  function hasVelocityAnomaly(accountId) {
    const dayAgo = Date.now() - 86400_000;
    return state.alerts.some((x) => x.accountId === accountId && x.type === "VELOCITY_ANOMALY" && new Date(x.raisedAt).getTime() >= dayAgo);
  }

  /** Velocity as monitoring sees it: spend in the last hour and day by call start (from the balance answer). */
  function velocity(a, b, anomaly) {
    if (!b?.monitoring) return "—";
    const m = b.monitoring;
    const flag = anomaly ? `<span class="badge bad" title="a VELOCITY_ANOMALY alert in the last 24 hours">⚡ anomaly</span>` : "";
    return `${flag}<span>${money(m.lastHour, a.currency)}/h</span><small>24 h ${money(m.last24Hours, a.currency, 0)}</small>`;
  }

  function renderAlerts(list, alerts, showAccount) {
    const fresh = state.seenAlerts;
    const items = alerts.map((a) => `<li class="alert ${esc(a.severity)}${fresh && !fresh.has(a.alertId) ? " fresh" : ""}" data-type="${esc(a.type)}" data-account="${esc(a.accountId)}">
        <div class="alert-head"><span class="alert-type">${esc(alertLabel(a))}</span>${showAccount ? `<a href="#/accounts/${esc(enc(a.accountId))}">${esc(accountName(a.accountId))}</a>` : ""}<time datetime="${esc(a.raisedAt)}" title="${esc(clock(a.raisedAt))}">${esc(ago(a.raisedAt))}</time></div>
        <p>${esc(a.message)}</p>
      </li>`);
    setHtml(list, items.join("") || `<li class="empty">No alerts. Monitoring raises them at spend thresholds, on spend velocity and on suspension.</li>`);
  }

  function recentInvoices(count) {
    return [...state.invoices.values()].flat().sort((x, y) => y.issuedAt.localeCompare(x.issuedAt)).slice(0, count);
  }

  function documentLinks(invoice) {
    const path = (format) => `/api/invoices/${enc(invoice.invoiceId)}/document?format=${format}`;
    return ["html", "pdf"].map((format) => `<a href="${esc(apiBase + path(format))}" target="_blank" rel="noopener" data-document="${esc(path(format))}" data-format="${format}" data-filename="${esc(`${invoice.invoiceNumber}.${format}`)}">${format.toUpperCase()}</a>`).join(" ");
  }

  function renderInvoices(table, invoices, showAccount) {
    const rows = invoices.map((i) => `<tr data-invoice="${esc(i.invoiceId)}">
        <td><strong>${esc(i.invoiceNumber)}</strong><small>${showAccount ? `<a href="#/accounts/${esc(enc(i.accountId))}">${esc(i.accountName || i.accountId)}</a> · ` : ""}${esc(i.kind === "statement" ? "statement" : "invoice")} ${esc(i.period)}</small></td>
        <td class="num">${money(i.total, i.currency)}</td>
        <td class="docs">${documentLinks(i)}</td>
      </tr>`);
    setHtml(table.tBodies[0], rows.join("") || `<tr><td class="empty">No invoices yet: the invoice run issues them when a billing period closes.</td></tr>`);
  }

  function accountName(accountId) {
    return state.accounts.find((a) => a.accountId === accountId)?.name || accountId;
  }

  function renderAccount(accountId) {
    const view = $("account-view");
    const a = state.accounts.find((x) => x.accountId === accountId);
    const b = state.balances.get(accountId);
    if (!a || !b) {
      setHtml(view, `<p class="back"><a href="#/">← All accounts</a></p><p class="empty">${state.updatedAt ? `No account '${esc(accountId)}'.` : "Loading…"}</p>`);
      return;
    }
    const m = b.monitoring;
    const suspension = b.status === "suspended" ? state.alerts.find((x) => x.accountId === accountId && x.type === "ACCOUNT_SUSPENDED") : null;
    const card = (label, value, note = "") => `<div class="card"><span>${esc(label)}</span><strong>${value}</strong>${note ? `<small>${note}</small>` : ""}</div>`;
    const usage = state.usage?.accountId === accountId ? state.usage : null;
    setHtml(view, `
      <p class="back"><a href="#/">← All accounts</a></p>
      <div class="account-head ${b.status === "suspended" ? "suspended" : ""}" data-account="${esc(accountId)}" data-status="${esc(b.status)}">
        <h1>${esc(a.name || accountId)} <small>${esc(accountId)}</small></h1>
        <span class="mode">${esc(modeLabel(b.mode))}</span> ${statusBadge(b.status, m?.status)}
        ${suspension ? `<p class="suspension">${esc(suspension.message)} (${esc(ago(suspension.raisedAt))})</p>` : ""}
      </div>
      <section class="cards">
        ${card("Balance", money(b.balance, b.currency))}
        ${card("Reserved", money(b.reserved, b.currency), `${integer.format(b.activeSessions)} active call${b.activeSessions === 1 ? "" : "s"}`)}
        ${card("Available", b.available === null ? "no limit" : money(b.available, b.currency))}
        ${card("Credit limit", b.creditLimit === null ? "none" : money(b.creditLimit, b.currency))}
        ${card("Last hour", money(m.lastHour, b.currency), hasVelocityAnomaly(accountId) ? '<span class="badge bad">⚡ velocity anomaly</span>' : "spend by call start")}
        ${card("Last 24 hours", money(m.last24Hours, b.currency), m.dailyBaseline !== null ? `usual day ${money(m.dailyBaseline, b.currency)}` : "")}
        ${card("Last 7 days", money(m.last7Days, b.currency))}
      </section>
      <section class="panel"><h2>Period spend against limit <small>since ${esc(day(b.periodStart))}</small></h2>${spendBar(a, b)}</section>
      <div class="columns">
        <div>
          <section class="panel"><h2>Usage by destination <small>${usage?.period?.continuation ? `the first ${integer.format(periodPage)} calls of this period` : "this period"}</small></h2>${destinations(usage?.period, b.currency)}</section>
          <section class="panel"><h2>Latest calls</h2>${latestCalls(usage?.latest, b.currency)}</section>
        </div>
        <div class="side">
          <section class="panel"><h2>Alerts</h2><ol class="alerts" data-testid="account-alerts"></ol></section>
          <section class="panel"><h2>Invoices</h2><table class="invoices" data-testid="account-invoices"><tbody></tbody></table></section>
        </div>
      </div>`);
    renderAlerts(view.querySelector("[data-testid=account-alerts]"), state.alerts.filter((x) => x.accountId === accountId).slice(0, 12), false);
    renderInvoices(view.querySelector("[data-testid=account-invoices]"), (state.invoices.get(accountId) ?? []).slice().sort((x, y) => y.issuedAt.localeCompare(x.issuedAt)), false);
  }

  /** Said under figures counted from the period's first page when the period has more calls than that page. */
  function partialNote(page) {
    return page.continuation
      ? `<p class="partial" data-testid="destinations-partial">Partial: these figures count only the first ${integer.format(page.items.length)} calls of the period (by start time); it has more. The period spend above counts every call.</p>`
      : "";
  }

  function destinations(usage, currency) {
    if (!usage) return `<p class="empty">Loading…</p>`;
    const byDestination = new Map();
    for (const u of usage.items) {
      const d = byDestination.get(u.destination) ?? { calls: 0, billed: 0, charge: 0 };
      d.calls += 1;
      d.billed += u.billedSeconds;
      d.charge += u.charge;
      byDestination.set(u.destination, d);
    }
    const rows = [...byDestination].sort((x, y) => y[1].charge - x[1].charge);
    if (rows.length === 0) return `<p class="empty">No rated calls this period.</p>`;
    const top = rows[0][1].charge || 1;
    return `<table class="usage" data-testid="destinations"><thead><tr><th>Destination</th><th class="num">Calls</th><th class="num">Minutes</th><th class="num">Charge</th><th></th></tr></thead><tbody>
      ${rows.map(([name, d]) => `<tr><td>${esc(name)}</td><td class="num">${integer.format(d.calls)}</td><td class="num">${integer.format(Math.round(d.billed / 60))}</td><td class="num">${money(d.charge, currency)}</td><td class="share"><div class="bar"><b class="low" style="width:${(d.charge / top) * 100}%"></b></div></td></tr>`).join("")}
    </tbody></table>${partialNote(usage)}`;
  }

  /** The page of the latest calls, newest first as the API lists them with order=newest. */
  function latestCalls(usage, currency) {
    if (!usage) return `<p class="empty">Loading…</p>`;
    const calls = usage.items;
    if (calls.length === 0) return `<p class="empty">No rated calls this period.</p>`;
    return `<table class="usage" data-testid="latest-calls"><thead><tr><th>Start</th><th>Called</th><th>Destination</th><th class="num">Duration</th><th class="num">Charge</th><th title="What settled the charge: the call&#39;s terminate (session), or its CDR">Billed by</th></tr></thead><tbody>
      ${calls.map((u) => `<tr class="${u.disposition === "ANSWERED" ? "" : "unanswered"}"><td>${esc(clock(u.startTime))}</td><td>${esc(u.calledNumber)}</td><td>${esc(u.destination)}</td><td class="num">${u.disposition === "ANSWERED" ? esc(duration(u.durationSeconds)) : esc(u.disposition.toLowerCase().replace("_", " "))}</td><td class="num">${money(u.charge, currency, 4)}</td><td class="muted">${esc(u.settledBy === "cdr" ? "CDR" : u.settledBy)}</td></tr>`).join("")}
    </tbody></table>`;
  }

  // ---- start -----------------------------------------------------------------------------------------------------

  // Links to the host's own pages follow the API base when the page is hosted elsewhere.
  for (const link of document.querySelectorAll("a[data-api-link]")) link.href = apiBase + link.getAttribute("href");
  $("api-base").textContent = apiBase || location.origin;
  updateKeyButton();
  schedule(0);
})();
