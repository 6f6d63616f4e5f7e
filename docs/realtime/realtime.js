// TradeMaster real-time example: sign in, get a ticket, follow one channel live.
// The URL fragment may prefill and start it (#username=..&password=..&channel=job:7),
// which the browser test uses; ?transport=ws uses a WebSocket instead of EventSource.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const form = $("watch");
  const transport = new URLSearchParams(location.search).get("transport") === "ws" ? "ws" : "sse";
  let token = null, channel = null, lastSeq = null, lastId = null, source = null, count = 0;
  const equity = [];

  async function api(method, path, body) {
    const headers = { "Content-Type": "application/json" };
    if (token) headers.Authorization = "Bearer " + token;
    const response = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(json.detail || json.title || ("HTTP " + response.status));
    return json;
  }

  async function ticket() {
    const answer = await api("POST", "/api/v1/realtime/tickets", { channels: [channel] });
    return answer.tickets[0];
  }

  // What the GET of the watched object says (after a gap in seq, or at the start).
  async function resync() {
    const [kind, id] = channel.split(":");
    try {
      const object = await api("GET", kind === "run" ? "/api/v1/runs/" + id : "/api/v1/jobs/" + id);
      show(object.status, object.progress, object.message);
    } catch (error) { log("resync failed: " + error.message, true); }
  }

  function show(status, progress, message) {
    if (status) $("status").textContent = status + (message ? " — " + message : "");
    if (typeof progress === "number") {
      const percent = Math.round(progress * 1000) / 10;
      $("progress").style.width = percent + "%";
      $("progress-text").textContent = percent + " %";
    }
  }

  function log(text, gap) {
    const item = document.createElement("li");
    item.textContent = text;
    if (gap) item.className = "gap";
    $("log").prepend(item);
    while ($("log").children.length > 12) $("log").lastChild.remove();
  }

  function drawEquity() {
    const canvas = $("equity"), context = canvas.getContext("2d");
    context.clearRect(0, 0, canvas.width, canvas.height);
    if (equity.length < 2) return;
    const low = Math.min(...equity), high = Math.max(...equity), span = high - low || 1;
    context.strokeStyle = "#2c6fbb";
    context.lineWidth = 2;
    context.beginPath();
    equity.forEach((value, index) => {
      const x = index / (equity.length - 1) * (canvas.width - 10) + 5;
      const y = canvas.height - 5 - (value - low) / span * (canvas.height - 10);
      index === 0 ? context.moveTo(x, y) : context.lineTo(x, y);
    });
    context.stroke();
  }

  function receive(text, id) {
    const event = JSON.parse(text);
    if (id) lastId = id;
    if (lastSeq !== null && event.seq !== lastSeq + 1) {
      log("missed " + (event.seq - lastSeq - 1) + " event(s): resyncing", true);
      resync();
    }
    lastSeq = event.seq;
    count += 1;
    document.body.dataset.events = String(count);
    $("count").textContent = String(count);
    const data = event.data || {};
    if (event.type === "run.progress") show("running", data.progress, "bar " + data.bars_processed + " of " + data.bars);
    else if (event.type.endsWith(".progress")) show(null, data.progress, data.message);
    if (event.type.endsWith(".status")) show(data.status, data.progress, data.message);
    if (event.type === "run.equity" && typeof data.equity === "number") {
      equity.push(data.equity);
      document.body.dataset.equity = String(equity.length);
      $("equity-last").textContent = "equity " + data.equity.toFixed(2);
      drawEquity();
    }
    if (event.type === "run.trade") $("trades").textContent = String(Number($("trades").textContent) + 1);
    log("#" + event.seq + " " + event.type + " " + JSON.stringify(data).slice(0, 100));
  }

  // Connects with a fresh ticket (a ticket opens one connection, within a minute), resuming
  // after the last message received. Every reconnect asks for a new ticket.
  async function connect() {
    const current = await ticket();
    const resume = lastId ? "&last_event_id=" + encodeURIComponent(lastId) : "";
    $("connection").textContent = "connecting (" + transport + ")";
    if (transport === "ws") {
      const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + current.websocket_url + resume;
      source = new WebSocket(url, "ws+meta.nchan");
      source.onopen = () => { $("connection").textContent = "live (WebSocket)"; };
      source.onmessage = (message) => {
        const [head, body] = message.data.split("\n\n", 2);
        const id = (head.match(/^id: (.*)$/m) || [])[1];
        receive(body, id);
      };
      source.onclose = () => { $("connection").textContent = "reconnecting"; setTimeout(connect, 1000); };
    } else {
      source = new EventSource(current.eventsource_url + resume);
      source.onopen = () => { $("connection").textContent = "live (EventSource)"; };
      source.onmessage = (message) => receive(message.data, message.lastEventId);
      // EventSource retries on its own with the same URL, whose ticket is spent: nginx refuses it
      // (403), which closes the source; then get a new ticket and resume from the last id.
      source.onerror = () => {
        if (source.readyState === EventSource.CLOSED) { $("connection").textContent = "reconnecting"; setTimeout(connect, 1000); }
      };
    }
  }

  form.addEventListener("submit", async (submit) => {
    submit.preventDefault();
    const fields = new FormData(form);
    try {
      const login = await api("POST", "/api/v1/auth/login", { username: fields.get("username"), password: fields.get("password") });
      token = login.tokens.access_token;
      channel = fields.get("channel");
      $("title").textContent = channel;
      document.title = channel + " — TradeMaster live";
      await connect();
      resync();
    } catch (error) {
      $("connection").textContent = "error: " + error.message;
    }
  });

  const preset = new URLSearchParams(location.hash.slice(1));
  if (preset.get("username") && preset.get("channel")) {
    for (const name of ["username", "password", "channel"]) form.elements[name].value = preset.get(name) || "";
    history.replaceState(null, "", location.pathname + location.search);  // the password leaves the address bar
    form.requestSubmit();
  }
})();
