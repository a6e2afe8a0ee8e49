// VORI Record page: the microphone through MediaRecorder (Opus in WebM), posted to the gateway as
// one stream (docs/contract.md, "Streams"); the transcript and tickets come back over the board's
// WebSocket. Tokens live in localStorage only: never in a URL, which servers and proxies log.
// Every piece of data reaches the DOM through textContent, never through HTML parsing.
"use strict";

(() => {
  const PRODUCER_KEY = "vori.record.producer_token";
  const BOARD_KEY = "vori.board.token";  // shared with the board page
  const GATEWAY_KEY = "vori.record.gateway_url";
  const MIME = "audio/webm;codecs=opus";
  const TIMESLICE_MS = 2000;  // one chunk every 2 s of sound
  // Chunks held while the gateway cannot be reached; past this the recorder pauses until they
  // are delivered, so memory stays bounded and nothing already recorded is dropped.
  const MAX_HELD = 30;
  // Answers worth the same chunk again: the gateway or the network will likely recover.
  const RETRYABLE = new Set([0, 408, 425, 429, 500, 502, 503, 504]);
  const WS_UNAUTHORIZED = 4401;
  const WS_FORBIDDEN = 4403;

  const state = {
    producer: localStorage.getItem(PRODUCER_KEY) || "",
    board: localStorage.getItem(BOARD_KEY) || "",
    gateway: localStorage.getItem(GATEWAY_KEY) || "",
    defaultGateway: "",
    meeting: null,
    title: null,
    seq: 0,
    queue: [],  // chunks not yet acknowledged, oldest first; queue[0] is the one being posted
    sending: false,
    unreachable: null,  // why the current chunk has not gone out yet, while it has not
    blocked: false,  // the producer token was refused: hold everything until a new one is saved
    sent: 0,
    recorder: null,
    media: null,
    audio: null,
    timers: [],
    startedAt: 0,
    socket: null,
    retry: 500,
    lastId: null,
    lines: new Map(),
    tickets: new Map(),
  };

  const $ = (sel) => document.querySelector(sel);

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "text") node.textContent = v;
      else if (k === "class") node.className = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) if (c) node.append(c);
    return node;
  }

  function show(selector, message) {
    const box = $(selector);
    box.textContent = message || "";
    box.hidden = !message;
  }

  const setState = (text) => { $("#state").textContent = text; };
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function clock(ms) {
    const s = Math.floor(ms / 1000);
    return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
  }

  // ---- tokens and the gateway URL ----------------------------------------------------------
  function askTokens(message) {
    $("#producer-token").value = state.producer;
    $("#board-token").value = state.board;
    $("#gateway-url").value = state.gateway || state.defaultGateway;
    $("#tokens-form").hidden = false;
    if (!state.recorder) $("#recorder").hidden = true;
    show("#error", message);
  }

  $("#tokens-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    state.producer = $("#producer-token").value.trim();
    state.board = $("#board-token").value.trim();
    const url = $("#gateway-url").value.trim().replace(/\/+$/, "");
    state.gateway = url === state.defaultGateway ? "" : url;
    localStorage.setItem(PRODUCER_KEY, state.producer);
    localStorage.setItem(BOARD_KEY, state.board);
    if (state.gateway) localStorage.setItem(GATEWAY_KEY, state.gateway);
    else localStorage.removeItem(GATEWAY_KEY);
    for (const id of ["#producer-token", "#board-token"]) $(id).value = "";
    $("#tokens-form").hidden = true;
    $("#recorder").hidden = false;
    show("#error", "");
    state.blocked = false;
    if (!state.socket) connect();
    pump();
  });

  $("#change-tokens").addEventListener("click", () => askTokens(""));

  const gatewayUrl = () => state.gateway || state.defaultGateway;

  // ---- posting chunks ----------------------------------------------------------------------
  async function base64(blob) {
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let text = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(text);
  }

  function enqueue(blob, final) {
    const chunk = { meeting: state.meeting, title: state.title, seq: state.seq, blob, final, body: null };
    state.seq += 1;
    state.queue.push(chunk);
    holdCheck();
    pump();
  }

  async function bodyOf(chunk) {
    if (chunk.body === null) {
      // Built once: a retry sends the very same bytes under the very same seq.
      const value = {
        meeting_id: chunk.meeting, seq: chunk.seq, source: "main", speaker: null, codec: "webm",
        audio: chunk.blob ? await base64(chunk.blob) : "", final: chunk.final, title: chunk.title,
        stream: true,
      };
      chunk.body = JSON.stringify({ records: [{ key: chunk.meeting, value }] });
      chunk.blob = null;
    }
    return chunk.body;
  }

  // Post one chunk until the gateway takes it; false when it refuses it for good.
  async function deliver(chunk) {
    let delay = 500;
    for (;;) {
      if (state.blocked) return false;
      let status = 0;
      let wait = delay;
      let detail = "";
      try {
        const response = await fetch(`${gatewayUrl()}/topics/audio.raw`, {
          method: "POST",
          headers: {
            Authorization: `Bearer ${state.producer}`,
            "Content-Type": "application/vnd.kafka.json.v2+json",
          },
          body: await bodyOf(chunk),
        });
        if (response.ok) return true;
        status = response.status;
        const after = Number(response.headers.get("Retry-After"));
        if (after > 0) wait = Math.max(wait, after * 1000);
        try { detail = (await response.json()).message || ""; } catch (_) { /* not JSON */ }
      } catch (_) {
        status = 0;  // unreachable, or not allowed by the gateway's CORS setting
      }
      if (status === 401 || status === 403) {
        state.blocked = true;
        askTokens(`The gateway refused the producer token (${status}${detail ? `: ${detail}` : ""}); ` +
                  "paste another. The recorded audio is held meanwhile.");
        return false;
      }
      if (!RETRYABLE.has(status)) {
        fail(`The gateway refused chunk ${chunk.seq} (${status}${detail ? `: ${detail}` : ""}).`);
        return false;
      }
      chunk.attempts = (chunk.attempts || 0) + 1;
      state.unreachable = status === 0 ? "unreachable" : `answering ${status}`;
      holdCheck();
      await sleep(wait);
      delay = Math.min(delay * 2, 10000);
    }
  }

  async function pump() {
    if (state.sending) return;
    state.sending = true;
    try {
      while (state.queue.length && !state.blocked) {
        const chunk = state.queue[0];
        if (!(await deliver(chunk))) return;
        state.queue.shift();
        state.sent += 1;
        state.unreachable = null;
        $("#sent").textContent = String(state.sent);
        holdCheck();
        if (chunk.final) {
          setState("sent; the meeting closes shortly");
        }
      }
    } finally {
      state.sending = false;
    }
  }

  // The warning while chunks wait, and the brake on the recorder when too many do.
  function holdCheck() {
    const held = state.queue.length;
    if (state.unreachable && held) {
      show("#warning", `Gateway ${state.unreachable}: holding ${held} chunk${held === 1 ? "" : "s"}` +
                       " and retrying.");
    } else {
      show("#warning", "");
    }
    const rec = state.recorder;
    if (!rec) return;
    if (held >= MAX_HELD && rec.state === "recording") {
      rec.pause();
      setState("paused: the gateway has not taken the last chunks");
    } else if (held <= MAX_HELD / 2 && rec.state === "paused") {
      rec.resume();
      setState("recording");
    }
  }

  function fail(message) {
    show("#error", message);
    stopRecording(false);
    setState("stopped: a chunk was refused");
  }

  // ---- recording ---------------------------------------------------------------------------
  function newMeetingId() {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-` +
                  `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
    const random = Math.random().toString(36).slice(2, 6);
    return `rec-${stamp}-${random}`;
  }

  async function startRecording() {
    show("#error", "");
    if (!state.producer || !state.board) { askTokens("Both tokens are needed to record."); return; }
    if (state.queue.length) {
      show("#error", "The last recording is still being sent; start again once it is.");
      return;
    }
    if (!window.MediaRecorder || !MediaRecorder.isTypeSupported(MIME)) {
      show("#error", "This browser cannot record Opus in WebM; try Chrome, Edge or Firefox.");
      return;
    }
    $("#start").disabled = true;
    let media;
    try {
      // Raw sound: the recognizer does better without the call-oriented processing.
      media = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      });
    } catch (e) {
      $("#start").disabled = false;
      show("#error", `No microphone: ${e.message || e.name}`);
      return;
    }
    state.media = media;
    state.meeting = newMeetingId();
    state.title = $("#title").value.trim() || null;
    state.seq = 0;
    state.sent = 0;
    state.queue = [];
    state.lines.clear();
    state.tickets.clear();
    $("#transcript").replaceChildren();
    $("#tickets").replaceChildren();
    $("#meeting-id").textContent = state.meeting;
    $("#sent").textContent = "0";
    $("#title").disabled = true;

    const recorder = new MediaRecorder(media, { mimeType: MIME, audioBitsPerSecond: 64000 });
    state.recorder = recorder;
    recorder.ondataavailable = (ev) => { if (ev.data && ev.data.size > 0) enqueue(ev.data, false); };
    recorder.onstop = () => {
      // The last range came just before this event; the final chunk closes the source.
      enqueue(null, true);
      state.recorder = null;
    };
    recorder.onerror = (ev) => fail(`The recorder failed: ${ev.error ? ev.error.message : "unknown"}`);
    recorder.start(TIMESLICE_MS);

    meter(media);
    state.startedAt = performance.now();
    state.timers.push(setInterval(() => {
      $("#elapsed").textContent = clock(performance.now() - state.startedAt);
    }, 250));
    document.body.classList.add("recording");
    $("#stop").disabled = false;
    setState("recording");
  }

  function meter(media) {
    const ctx = new AudioContext();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 2048;
    ctx.createMediaStreamSource(media).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    state.audio = ctx;
    state.timers.push(setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      // RMS on a rough log scale: -60 dBFS reads 0, 0 dBFS reads 1.
      const db = 10 * Math.log10(sum / samples.length + 1e-12);
      $("#level").value = Math.max(0, Math.min(1, (db + 60) / 60));
    }, 100));
  }

  function stopRecording(sendFinal = true) {
    const rec = state.recorder;
    if (rec) {
      if (!sendFinal) rec.onstop = () => { state.recorder = null; };
      if (rec.state !== "inactive") rec.stop();
      else state.recorder = null;
    }
    for (const t of state.timers) clearInterval(t);
    state.timers = [];
    if (state.media) for (const track of state.media.getTracks()) track.stop();
    state.media = null;
    if (state.audio) state.audio.close();
    state.audio = null;
    $("#level").value = 0;
    document.body.classList.remove("recording");
    $("#stop").disabled = true;
    $("#start").disabled = false;
    $("#title").disabled = false;
    if (sendFinal) setState("sending the last chunks");
  }

  $("#start").addEventListener("click", () => { startRecording(); });
  // Held chunks exist only in this page: leaving it would lose them.
  window.addEventListener("beforeunload", (ev) => {
    if (state.recorder || state.queue.length) ev.preventDefault();
  });
  $("#stop").addEventListener("click", () => stopRecording(true));

  // ---- what comes back: transcript and tickets over the board's socket ----------------------
  function setConn(on) {
    const c = $("#conn");
    c.textContent = on ? "live" : "offline";
    c.className = `conn ${on ? "on" : "off"}`;
  }

  function connect() {
    if (!state.board) return;
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const q = state.lastId === null ? "" : `?${new URLSearchParams({ since: String(state.lastId) })}`;
    const ws = new WebSocket(`${proto}://${location.host}/ws${q}`);
    state.socket = ws;
    ws.onopen = () => {
      state.retry = 500;
      ws.send(JSON.stringify({ type: "auth", token: state.board }));
    };
    ws.onmessage = (msg) => {
      let ev;
      try { ev = JSON.parse(msg.data); } catch (_) { return; }
      handle(ev);
    };
    ws.onclose = (ev) => {
      setConn(false);
      if (state.socket !== ws) return;
      state.socket = null;
      if (ev.code === WS_UNAUTHORIZED || ev.code === WS_FORBIDDEN) {
        askTokens("The board token was refused; paste another.");
        return;
      }
      setTimeout(connect, state.retry);
      state.retry = Math.min(state.retry * 2, 10000);
    };
  }

  function handle(ev) {
    if (ev.type === "ready") {
      setConn(true);
      $("#team").textContent = `team ${ev.team}`;
      if (state.lastId === null) state.lastId = ev.last_id;
      return;
    }
    if (typeof ev.id === "number") state.lastId = Math.max(state.lastId || 0, ev.id);
    const d = ev.data || {};
    if (!state.meeting || d.meeting_id !== state.meeting) return;
    switch (ev.type) {
      case "segment": addLine(d); break;
      case "segments.revised":  // the refined reading of a span replaces its live lines
        for (const [key, line] of [...state.lines]) {
          const cut = key.lastIndexOf(":");
          const start = Number(key.slice(cut + 1));
          if (key.slice(0, cut) === d.source && start >= d.start_ms && start < d.end_ms) {
            line.remove();
            state.lines.delete(key);
          }
        }
        for (const seg of d.segments || []) addLine(seg);
        break;
      case "segment.removed": {
        const key = `${d.source}:${d.start_ms}`;
        const line = state.lines.get(key);
        if (line) { line.remove(); state.lines.delete(key); }
        break;
      }
      case "ticket.created":
      case "ticket.updated": showTicket(d); break;
      case "meeting.closed": setState("meeting closed"); break;
      default: break;
    }
  }

  function addLine(seg) {
    const key = `${seg.source}:${seg.start_ms}`;
    const li = el("li", { "data-start": String(seg.start_ms) });
    li.append(el("span", { class: "at", text: clock(seg.start_ms) }));
    if (seg.speaker) li.append(el("span", { class: "who", text: seg.speaker }));
    li.append(el("span", { class: "text", text: seg.text }));
    const list = $("#transcript");
    const old = state.lines.get(key);
    state.lines.set(key, li);
    if (old) { old.replaceWith(li); return; }
    const after = [...list.children].find((c) => Number(c.dataset.start) > seg.start_ms);
    list.insertBefore(li, after || null);
    list.parentElement.scrollTop = list.parentElement.scrollHeight;
  }

  function showTicket(t) {
    const li = el("li", { "data-ticket-id": t.ticket_id });
    li.append(el("span", { class: "title", text: t.title }));
    const bits = [t.assignee ? `@${t.assignee}` : "unassigned", t.status];
    if (t.due_date) bits.push(`due ${t.due_date}`);
    li.append(el("span", { class: "meta", text: bits.join(" · ") }));
    const old = state.tickets.get(t.ticket_id);
    state.tickets.set(t.ticket_id, li);
    if (old) old.replaceWith(li);
    else $("#tickets").append(li);
  }

  // ---- start -------------------------------------------------------------------------------
  async function init() {
    try {
      const response = await fetch("/api/config");
      state.defaultGateway = String((await response.json()).gateway_url || "").replace(/\/+$/, "");
    } catch (_) {
      state.defaultGateway = "";
    }
    if (!state.producer || !state.board || !gatewayUrl()) {
      askTokens("");
      return;
    }
    $("#recorder").hidden = false;
    connect();
  }

  init();
})();
