// VORI board page: REST for the initial state, one WebSocket for everything committed afterwards.
// Every piece of data reaches the DOM through textContent or attributes, never through HTML parsing.
"use strict";

(() => {
  const TOKEN_KEY = "vori.board.token";
  const STATUSES = [
    ["todo", "To do"], ["in_progress", "In progress"], ["blocked", "Blocked"], ["done", "Done"],
  ];
  const SVG = "http://www.w3.org/2000/svg";

  const state = {
    token: localStorage.getItem(TOKEN_KEY) || "",
    team: null,
    lastId: 0,
    tickets: new Map(),
    meetings: new Map(),
    liveMeeting: null,
    lines: new Map(),
    selectedMeeting: null,
    socket: null,
    retry: 500,
  };

  const $ = (sel) => document.querySelector(sel);

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "text") node.textContent = v;
      else if (k === "class") node.className = v;
      else if (k.startsWith("data-")) node.setAttribute(k, v);
      else node[k] = v;
    }
    for (const c of children) if (c) node.append(c);
    return node;
  }

  function showError(message) {
    const box = $("#error");
    box.textContent = message || "";
    box.hidden = !message;
  }

  class HttpError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  async function api(path, options = {}) {
    const headers = { Authorization: `Bearer ${state.token}`, ...(options.headers || {}) };
    const response = await fetch(path, { ...options, headers });
    if (response.status === 401) {
      askToken("That token was refused; paste a board token.");
      throw new HttpError(401, "unauthorized");
    }
    if (!response.ok) {
      let detail = response.statusText;
      try { detail = JSON.stringify((await response.json()).detail); } catch (_) { /* not JSON */ }
      throw new HttpError(response.status, `${response.status}: ${detail}`);
    }
    const type = response.headers.get("content-type") || "";
    return type.includes("json") ? response.json() : response.text();
  }

  // ---- token -------------------------------------------------------------------------------
  function askToken(message) {
    if (state.socket) { state.socket.onclose = null; state.socket.close(); state.socket = null; }
    $("#app").hidden = true;
    $("#token-form").hidden = false;
    showError(message || "");
    $("#token").focus();
  }

  $("#token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    state.token = $("#token").value.trim();
    localStorage.setItem(TOKEN_KEY, state.token);
    $("#token").value = "";
    start();
  });

  $("#forget-token").addEventListener("click", () => {
    localStorage.removeItem(TOKEN_KEY);
    state.token = "";
    askToken("");
  });

  // ---- views -------------------------------------------------------------------------------
  for (const tab of document.querySelectorAll(".tab")) {
    tab.addEventListener("click", () => showView(tab.dataset.view));
  }

  function showView(name) {
    for (const tab of document.querySelectorAll(".tab")) {
      tab.classList.toggle("active", tab.dataset.view === name);
    }
    for (const view of document.querySelectorAll(".view")) view.hidden = view.id !== `view-${name}`;
    if (name === "analytics") loadAnalytics().catch((e) => showError(e.message));
    if (name === "team") loadTeam().catch((e) => showError(e.message));
  }

  // ---- team: roster and who each speaker label of a meeting is ------------------------------
  async function loadTeam() {
    const members = await api("/api/team/members");
    $("#members").replaceChildren(...members.map((m) => el("li", {
      text: `${m.name}${m.aliases.length ? ` (${m.aliases.join(", ")})` : ""}${m.voice ? " · voice enrolled" : ""}${learnedLine(m)}`,
    })));
    const pick = $("#speakers-meeting");
    const ids = [...state.meetings.keys()];
    const chosen = state.selectedMeeting || pick.value || ids[0];
    pick.replaceChildren(...ids.map((id) => el("option", { value: id, text: meetingLabel(id), selected: id === chosen })));
    if (chosen) await loadSpeakers(chosen);
  }

  // One short clause: how many voices were learned, from which meetings and how (the first three).
  function learnedLine(m) {
    const learned = m.learned || [];
    if (!learned.length) return "";
    const sources = learned.slice(0, 3).map((v) =>
      `${meetingLabel(v.meeting_id)} ${v.label}, ${v.source} ${Number(v.confidence).toFixed(2)}`).join("; ");
    const more = learned.length > 3 ? `; +${learned.length - 3}` : "";
    const unused = m.voice ? "; unused while enrolled" : "";
    return ` · learned ${learned.length} voice${learned.length === 1 ? "" : "s"} (${sources}${more}${unused})`;
  }

  $("#speakers-meeting").addEventListener("change", (ev) => {
    loadSpeakers(ev.target.value).catch((e) => showError(e.message));
  });

  async function loadSpeakers(id) {
    const rows = await api(`/api/meetings/${encodeURIComponent(id)}/speakers`);
    $("#speakers tbody").replaceChildren(...rows.map((r) => {
      const input = el("input", { value: r.name || "", placeholder: "name", "data-label": r.label });
      const save = el("button", { type: "button", text: "Rename" });
      save.addEventListener("click", async () => {
        try {
          await api(`/api/meetings/${encodeURIComponent(id)}/speakers/${encodeURIComponent(r.label)}`, {
            method: "PATCH", headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ name: input.value.trim() }),
          });
          await loadSpeakers(id);
        } catch (e) { showError(`Could not rename ${r.label} (${e.message}).`); }
      });
      const conf = r.confidence == null ? "" : Number(r.confidence).toFixed(2);
      return el("tr", {}, el("td", { text: r.label }), el("td", { text: r.name || "—" }),
        el("td", { text: r.how || "" }), el("td", { text: conf }), el("td", {}, input, save));
    }));
  }

  // ---- tickets -----------------------------------------------------------------------------
  function meetingLabel(id) {
    const m = state.meetings.get(id);
    return m && m.title ? m.title : id;
  }

  function renderCard(t) {
    const card = el("div", { class: "card", draggable: true, "data-ticket-id": t.ticket_id });
    card.append(el("div", { class: "title", text: t.title }));
    const meta = el("div", { class: "meta" });
    meta.append(el("span", { class: "assignee", text: t.assignee ? `@${t.assignee}` : "unassigned" }));
    if (t.due_date) meta.append(el("span", { class: "due", text: `due ${t.due_date}` }));
    meta.append(el("span", { class: "meeting", text: meetingLabel(t.meeting_id) }));
    card.append(meta);
    if (t.source_quote) card.append(el("blockquote", { class: "quote", text: t.source_quote }));
    card.append(...trackerBits(t));
    const moves = el("div", { class: "moves" });
    for (const [status, label] of STATUSES) {
      if (status === t.status) continue;
      const b = el("button", { type: "button", "data-move": status, text: `→ ${label}` });
      b.addEventListener("click", () => moveTicket(t.ticket_id, status));
      moves.append(b);
    }
    card.append(moves);
    card.addEventListener("dragstart", (ev) => {
      ev.dataTransfer.setData("text/plain", t.ticket_id);
      ev.dataTransfer.effectAllowed = "move";
    });
    return card;
  }

  // ---- outside tracker: each ticket's external link, and approval in proposal mode ----------
  const tracker = { links: {}, proposed: new Set(), timer: null };

  function trackerBits(t) {
    const bits = [];
    const link = tracker.links[t.ticket_id];
    if (link && /^https?:\/\//.test(link.url)) {
      bits.push(el("a", { class: "external", href: link.url, target: "_blank", rel: "noopener noreferrer",
                          text: `${link.kind} ${link.key}` }));
    }
    if (tracker.proposed.has(t.ticket_id)) {
      const b = el("button", { type: "button", class: "approve", text: "Approve for tracker" });
      b.addEventListener("click", async () => {
        try {
          await api(`/api/tickets/${encodeURIComponent(t.ticket_id)}/approve`, { method: "POST" });
          tracker.proposed.delete(t.ticket_id);
          upsertTicket(t, false);
        } catch (e) {
          if (e.status !== 401) showError(`Could not approve the ticket (${e.message}).`);
        }
      });
      bits.push(b);
    }
    return bits;
  }

  async function loadTracker() {
    const data = await api("/api/tracker");
    tracker.links = data.links || {};
    tracker.proposed = new Set(data.proposed || []);
    for (const t of state.tickets.values()) upsertTicket(t, false);
  }

  function refreshTrackerSoon() {
    // The worker links a ticket shortly after it changes; one refresh covers a burst of changes.
    clearTimeout(tracker.timer);
    tracker.timer = setTimeout(() => loadTracker().catch(() => {}), 3000);
  }

  function upsertTicket(t, flash) {
    state.tickets.set(t.ticket_id, t);
    const old = document.querySelector(`.card[data-ticket-id="${CSS.escape(t.ticket_id)}"]`);
    const card = renderCard(t);
    if (flash) card.classList.add("flash");
    const column = $(`#col-${t.status}`);
    if (!column) return;
    if (old && old.parentElement === column) old.replaceWith(card);
    else { if (old) old.remove(); column.append(card); }
    updateCounts();
  }

  function updateCounts() {
    for (const col of document.querySelectorAll(".column")) {
      col.querySelector(".count").textContent = String(col.querySelectorAll(".card").length);
    }
  }

  async function moveTicket(id, status) {
    try {
      const t = await api(`/api/tickets/${encodeURIComponent(id)}`, {
        method: "PATCH",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ status }),
      });
      upsertTicket(t, false);
      showError("");
    } catch (e) {
      if (e.status !== 401) showError(`Could not move the ticket (${e.message}).`);
    }
  }

  for (const column of document.querySelectorAll(".column")) {
    column.addEventListener("dragover", (ev) => { ev.preventDefault(); column.classList.add("over"); });
    column.addEventListener("dragleave", () => column.classList.remove("over"));
    column.addEventListener("drop", (ev) => {
      ev.preventDefault();
      column.classList.remove("over");
      const id = ev.dataTransfer.getData("text/plain");
      const t = state.tickets.get(id);
      if (t && t.status !== column.dataset.status) moveTicket(id, column.dataset.status);
    });
  }

  // ---- live transcript ---------------------------------------------------------------------
  function clock(ms) {
    const s = Math.floor(ms / 1000);
    return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
  }

  function followMeeting(id) {
    if (state.liveMeeting === id) return;
    state.liveMeeting = id;
    state.lines.clear();
    $("#transcript").replaceChildren();
    describeLive();
  }

  function describeLive() {
    const id = state.liveMeeting;
    const m = id && state.meetings.get(id);
    $("#live-meeting").textContent = id
      ? `${meetingLabel(id)} — ${m ? m.status : "live"}` : "No meeting in progress.";
  }

  function addLine(seg, follow = true) {
    if (seg.meeting_id !== state.liveMeeting) return;
    const key = `${seg.source}:${seg.start_ms}`;
    const li = el("li", { "data-key": key, "data-start": String(seg.start_ms) });
    if (seg.revision === "refined") li.classList.add("refined");
    li.append(el("span", { class: "at", text: clock(seg.start_ms) }));
    if (seg.speaker) li.append(el("span", { class: "who", text: seg.speaker }));
    li.append(el("span", { class: "text", text: seg.text }));
    const list = $("#transcript");
    const old = state.lines.get(key);
    state.lines.set(key, li);
    if (old) { old.replaceWith(li); return; }
    const after = [...list.children].find((c) => Number(c.dataset.start) > seg.start_ms);
    list.insertBefore(li, after || null);
    if (!follow) return;
    const panel = list.parentElement;
    panel.scrollTop = panel.scrollHeight;
  }

  // The refined reading of a span: its lines of that source go, the new ones take their place
  // (a minute or two back in the transcript, so the view is not scrolled to them).
  function reviseSpan(d) {
    if (d.meeting_id !== state.liveMeeting) return;
    for (const [key, line] of [...state.lines]) {
      const cut = key.lastIndexOf(":");
      const start = Number(key.slice(cut + 1));
      if (key.slice(0, cut) === d.source && start >= d.start_ms && start < d.end_ms) {
        line.remove();
        state.lines.delete(key);
      }
    }
    for (const seg of d.segments || []) addLine({ ...seg, meeting_id: d.meeting_id }, false);
  }

  async function loadLiveTranscript(id) {
    followMeeting(id);
    const m = await api(`/api/meetings/${encodeURIComponent(id)}`);
    for (const seg of m.segments) addLine({ ...seg, meeting_id: id });
  }

  // ---- meetings and minutes ----------------------------------------------------------------
  function upsertMeeting(m) {
    const old = state.meetings.get(m.meeting_id) || {};
    state.meetings.set(m.meeting_id, { ...old, ...m });
    renderMeetings();
    describeLive();
  }

  function renderMeetings() {
    const list = $("#meetings");
    const sorted = [...state.meetings.values()].sort(
      (a, b) => String(b.started_at || "").localeCompare(String(a.started_at || "")));
    list.replaceChildren(...sorted.map((m) => {
      const b = el("button", { type: "button", "data-meeting-id": m.meeting_id });
      b.append(el("span", { class: "name", text: m.title || m.meeting_id }));
      b.append(el("span", { class: "status", text: `${m.status} · ${m.started_at || ""}` }));
      if (m.meeting_id === state.selectedMeeting) b.classList.add("selected");
      b.addEventListener("click", () => openReport(m.meeting_id));
      return el("li", {}, b);
    }));
  }

  async function openReport(id) {
    state.selectedMeeting = id;
    renderMeetings();
    const text = await api(`/api/meetings/${encodeURIComponent(id)}/report.md`);
    renderMarkdown($("#report"), text);
  }

  // The subset of Markdown the reports use: headings, bullet lists, paragraphs, \-escapes.
  function renderMarkdown(target, text) {
    const unescape = (s) => s.replace(/\\(.)/g, "$1");
    const nodes = [];
    let list = null;
    let para = [];
    const flush = () => {
      if (para.length) nodes.push(el("p", { text: unescape(para.join(" ")) }));
      para = [];
    };
    for (const raw of text.split("\n")) {
      const line = raw.trimEnd();
      const heading = /^(#{1,6})\s+(.*)$/.exec(line);
      const bullet = /^\s*[-*]\s+(.*)$/.exec(line);
      if (heading) {
        flush(); list = null;
        nodes.push(el(`h${Math.min(heading[1].length + 1, 6)}`, { text: unescape(heading[2]) }));
      } else if (bullet) {
        flush();
        if (!list) { list = el("ul"); nodes.push(list); }
        list.append(el("li", { text: unescape(bullet[1]) }));
      } else if (!line.trim()) {
        flush(); list = null;
      } else {
        list = null; para.push(line.trim());
      }
    }
    flush();
    target.replaceChildren(...nodes);
  }

  // ---- analytics (inline SVG, no library) --------------------------------------------------
  function svg(tag, attrs = {}, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function barChart(target, rows, { label, value, note, empty }) {
    if (!rows.length) { target.replaceChildren(el("p", { class: "muted", text: empty })); return; }
    const rowH = 22, left = 190, width = 720, max = Math.max(...rows.map(value), 1e-9);
    const chart = svg("svg", { width, height: rows.length * rowH + 10, role: "img" });
    rows.forEach((r, i) => {
      const y = i * rowH + 5;
      const w = Math.max(1, (width - left - 120) * (value(r) / max));
      chart.append(svg("text", { x: left - 8, y: y + 14, "text-anchor": "end" }, label(r)));
      chart.append(svg("rect", { x: left, y: y + 3, width: w, height: rowH - 8, fill: "#5470c6", rx: 2 }));
      chart.append(svg("text", { x: left + w + 6, y: y + 14 }, note(r)));
    });
    target.replaceChildren(chart);
  }

  async function loadAnalytics() {
    const data = await api("/api/analytics");
    const totals = new Map();
    for (const t of data.keyword_trends) {
      const cur = totals.get(t.keyword) || { keyword: t.keyword, mentions: 0, trend: t.trend_score };
      cur.mentions += Number(t.mentions);
      cur.trend = t.trend_score;  // rows come oldest first: keep the latest window's score
      totals.set(t.keyword, cur);
    }
    const top = [...totals.values()].sort((a, b) => b.mentions - a.mentions).slice(0, 15);
    barChart($("#trends-chart"), top, {
      label: (r) => r.keyword, value: (r) => r.mentions,
      note: (r) => `${r.mentions} mentions · trend ${Number(r.trend).toFixed(2)}`,
      empty: "No keyword trends yet (the analytics jobs fill them in).",
    });
    barChart($("#metrics-chart"), data.meeting_metrics, {
      label: (r) => r.title || r.meeting_id, value: (r) => Number(r.efficiency_score),
      note: (r) => `efficiency ${Number(r.efficiency_score).toFixed(2)} · ${Math.round(r.wpm)} wpm · ${r.action_items} actions`,
      empty: "No meeting metrics yet.",
    });
  }

  // ---- live feed ---------------------------------------------------------------------------
  function setConn(on) {
    const c = $("#conn");
    c.textContent = on ? "live" : "offline";
    c.className = `conn ${on ? "on" : "off"}`;
  }

  // Close codes the board uses for "this token will not do": ask for another, do not retry.
  const WS_UNAUTHORIZED = 4401;
  const WS_FORBIDDEN = 4403;

  function connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    // The token goes in the first message, never in the URL: servers and proxies log URLs.
    const q = new URLSearchParams({ team: state.team, since: String(state.lastId) });
    const ws = new WebSocket(`${proto}://${location.host}/ws?${q}`);
    state.socket = ws;
    ws.onopen = () => {
      state.retry = 500;
      ws.send(JSON.stringify({ type: "auth", token: state.token }));
    };
    ws.onmessage = (msg) => {
      let ev;
      try { ev = JSON.parse(msg.data); } catch (_) { return; }
      handle(ev);
    };
    ws.onclose = (ev) => {
      setConn(false);
      if (state.socket !== ws) return;
      if (ev.code === WS_UNAUTHORIZED || ev.code === WS_FORBIDDEN) {
        state.socket = null;
        askToken("That token was revoked or has expired; paste a board token.");
        return;
      }
      setTimeout(connect, state.retry);
      state.retry = Math.min(state.retry * 2, 10000);
    };
  }

  function handle(ev) {
    if (ev.type === "ready") { setConn(true); return; }
    if (typeof ev.id === "number") state.lastId = Math.max(state.lastId, ev.id);
    const d = ev.data || {};
    switch (ev.type) {
      case "segment":
        if (!state.meetings.has(d.meeting_id)) upsertMeeting({ meeting_id: d.meeting_id, status: "live" });
        if (state.liveMeeting !== d.meeting_id && d.meeting_id) followMeeting(d.meeting_id);
        addLine(d);
        break;
      case "segments.revised":
        reviseSpan(d);
        break;
      case "segment.removed": {  // replaced by a replay's reading of the same audio
        const line = d.meeting_id === state.liveMeeting && state.lines.get(`${d.source}:${d.start_ms}`);
        if (line) { line.remove(); state.lines.delete(`${d.source}:${d.start_ms}`); }
        break;
      }
      case "meeting.started":
      case "meeting.closed":
        upsertMeeting(d);
        if (ev.type === "meeting.started") followMeeting(d.meeting_id);
        if (state.selectedMeeting === d.meeting_id) openReport(d.meeting_id).catch(() => {});
        break;
      case "minutes":
        if (state.selectedMeeting === d.meeting_id) openReport(d.meeting_id).catch(() => {});
        break;
      case "ticket.created":
      case "ticket.updated":
        upsertTicket(d, true);
        refreshTrackerSoon();
        break;
      default:
        break;
    }
  }

  // ---- search ------------------------------------------------------------------------------
  // A snippet is escaped HTML whose only tags are <mark>; it is split here and every piece goes
  // in through textContent, like everything else on the page.
  const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#x27;": "'" };
  function snippetNodes(snippet) {
    const nodes = [];
    let marked = false;
    for (const part of snippet.split(/(<\/?mark>)/)) {
      if (part === "<mark>") { marked = true; continue; }
      if (part === "</mark>") { marked = false; continue; }
      const text = part.replace(/&(amp|lt|gt|quot|#x27);/g, (e) => ENTITIES[e]);
      nodes.push(marked ? el("mark", { text }) : document.createTextNode(text));
    }
    return nodes;
  }

  async function search(q) {
    const box = $("#search-results");
    if (!q.trim()) { box.hidden = true; return; }
    const { results } = await api(`/api/search?q=${encodeURIComponent(q)}&limit=30`);
    const list = $("#search-hits");
    list.replaceChildren(...results.map((hit) => {
      const b = el("button", { type: "button", class: "hit" });
      const where = hit.start_ms === null ? "" : ` · ${clock(hit.start_ms)}`;
      b.append(el("span", { class: "kind", text: hit.kind }));
      b.append(el("span", { class: "name", text: `${hit.title || hit.meeting_id}${where}` }));
      b.append(el("span", { class: "snippet" }, ...snippetNodes(hit.snippet)));
      b.addEventListener("click", () => openHit(hit));
      return el("li", {}, b);
    }));
    if (!results.length) list.append(el("li", { class: "muted", text: "Nothing found." }));
    box.hidden = false;
  }

  // A hit opens its meeting at that moment: the transcript, scrolled to the line and marked;
  // minutes open the meeting's report.
  async function openHit(hit) {
    if (hit.start_ms === null) { showView("meetings"); await openReport(hit.meeting_id); return; }
    showView("board");
    state.liveMeeting = null;  // load the hit's meeting even if it is the one followed
    await loadLiveTranscript(hit.meeting_id);
    const lines = [...$("#transcript").children];
    const line = lines.filter((li) => Number(li.dataset.start) <= hit.start_ms).pop() || lines[0];
    for (const li of lines) li.classList.remove("found");
    if (line) { line.classList.add("found"); line.scrollIntoView({ block: "center" }); }
  }

  $("#search-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    search($("#search-q").value).catch((e) => {
      if (e.status !== 401) showError(`Search failed (${e.message}).`);
    });
  });
  $("#search-close").addEventListener("click", () => { $("#search-results").hidden = true; });

  // ---- start -------------------------------------------------------------------------------
  async function start() {
    if (!state.token) { askToken(""); return; }
    try {
      const me = await api("/api/whoami");
      state.team = me.team;
      state.lastId = me.last_event_id;
      $("#team").textContent = `team ${me.team}`;
      $("#token-form").hidden = true;
      $("#app").hidden = false;
      $("#search-form").hidden = false;
      showError("");
      const [meetings, tickets] = await Promise.all([
        api("/api/meetings"), api(`/api/tickets?team=${encodeURIComponent(me.team)}`),
      ]);
      for (const m of meetings) state.meetings.set(m.meeting_id, m);
      renderMeetings();
      for (const col of STATUSES) $(`#col-${col[0]}`).replaceChildren();
      for (const t of tickets) upsertTicket(t, false);
      updateCounts();
      loadTracker().catch(() => {});
      connect();
      const live = meetings.find((m) => m.status === "live") || meetings[0];
      if (live) await loadLiveTranscript(live.meeting_id);
    } catch (e) {
      if (e.status !== 401) showError(`Could not load the board (${e.message}).`);
    }
  }

  start();
})();
