// The live page of `edge serve`: plain JavaScript, no build step, nothing fetched from elsewhere.
"use strict";

const STILL_MS = 1000;
const HISTORY = 12;
const TOP_K = 10;
const SHOWN_REGIONS = 8; // an upload's regions shown with their input and bars
const PEN_WIDTH = 18;
const $ = (id) => document.getElementById(id);

const query = new URLSearchParams(location.search);
const still = query.get("still") === "1";
let token = query.get("token") || localStorage.getItem("edge-token") || "";
let events = null;
let poller = null;
let stillReading; // the smoothed reading the still page last showed

function withToken(url) {
  return token ? `${url}${url.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}` : url;
}

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, { ...options, headers });
  const body = await response.json();
  if (response.status === 401) askForToken(body.error);
  if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
  return body;
}

function askForToken(message) {
  $("token-form").hidden = false;
  $("token-error").textContent = message || "";
  setStatus("token needed", false);
}

function setStatus(text, ok) {
  $("status").textContent = text;
  $("status").className = `status ${ok ? "ok" : "bad"}`;
}

const percent = (p) => `${(100 * p).toFixed(1)}%`;

// --- live view -------------------------------------------------------------------------------
// The live page follows one event stream: `reading` events (each change of the smoothed reading)
// give the reading and the changes, `frame` events (twice a second) the current frame's figures; the
// image is MJPEG, started once the page has loaded. The still page (?still=1) keeps no connection
// open, so that it finishes loading (a headless browser's screenshot ends): each second it reads
// /api/reading, which gives the figures, the reading and the changes it sees, and reloads the frame.

function showChange(r) {
  $("smoothed").textContent = r.smoothed ?? "–";
  $("smoothed-confidence").textContent = r.smoothed ? percent(r.smoothed_confidence) : "";
  const item = document.createElement("li");
  const time = r.time.slice(11, 23);
  item.textContent = `${time}  ${r.smoothed ?? "–"}${r.smoothed ? ` (${percent(r.smoothed_confidence)})` : ""}`;
  $("history").prepend(item);
  while ($("history").children.length > HISTORY) $("history").lastChild.remove();
}

function showFrame(r) {
  $("current").textContent = r.number ?? "no digit";
  $("confidence").textContent = r.number ? percent(r.confidence) : "";
  $("fps").textContent = r.fps.toFixed(1);
  $("read-ms").textContent = r.read_ms.toFixed(1);
  $("frame").textContent = r.frame;
}

function connectStreams() {
  if (events) events.close();
  events = new EventSource(withToken("/api/events?frames=1"));
  events.addEventListener("reading", (event) => showChange(JSON.parse(event.data)));
  events.addEventListener("frame", (event) => showFrame(JSON.parse(event.data)));
  events.addEventListener("open", () => setStatus("live", true));
  events.addEventListener("error", () => setStatus("reconnecting…", false));
  const showVideo = () => { $("live").src = withToken("/api/stream.mjpg"); }; // never ends loading
  if (document.readyState === "complete") showVideo();
  else window.addEventListener("load", showVideo, { once: true });
}

async function pollStill() {
  try {
    const r = await api("/api/reading");
    showFrame(r);
    if (r.smoothed !== stillReading) showChange(r);
    stillReading = r.smoothed;
    $("live").src = withToken(`/api/frame.jpg?frame=${r.frame}`);
    setStatus("still", true);
  } catch (error) {
    if ($("token-form").hidden) setStatus(error.message, false);
  }
}

function startPolling() {
  clearInterval(poller);
  pollStill();
  poller = setInterval(pollStill, STILL_MS);
}

async function loadInfo() {
  const info = await api("/api/info");
  $("model").textContent = info.model.file;
  $("source").textContent = info.source;
  showThreshold(info.settings);
}

// --- threshold -------------------------------------------------------------------------------

function showThreshold(settings) {
  $("threshold").value = settings.accept_threshold;
  $("threshold-value").textContent = settings.accept_threshold.toFixed(2);
  $("threshold").dataset.default = settings.default_accept_threshold;
}

async function setThreshold(value) {
  const settings = await api("/api/settings", {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ accept_threshold: Number(value) }),
  });
  showThreshold(settings);
}

$("threshold").addEventListener("input", (e) => { $("threshold-value").textContent = Number(e.target.value).toFixed(2); });
$("threshold").addEventListener("change", (e) => setThreshold(e.target.value).catch(() => {}));
$("threshold-reset").addEventListener("click", () => setThreshold($("threshold").dataset.default).catch(() => {}));

// --- one image: drawing or upload ------------------------------------------------------------

function showResult(element, reading) {
  element.replaceChildren();
  const answer = document.createElement("span");
  answer.className = "answer";
  answer.textContent = reading.number ?? "no digit";
  answer.dataset.number = reading.number ?? "";
  element.append(answer, reading.number ? percent(reading.confidence) : "");
  if (reading.annotated_jpeg) {
    const annotated = document.createElement("img");
    annotated.src = reading.annotated_jpeg;
    annotated.alt = "the image with what was read drawn on it";
    annotated.className = "annotated";
    element.append(annotated);
  }
  const regions = reading.digits.length ? reading.digits : reading.rejected_regions;
  for (const region of regions.slice(0, SHOWN_REGIONS)) element.append(regionView(region));
}

// One region: the 28x28 input the model saw, and its top-k bars.
function regionView(region) {
  const view = document.createElement("div");
  view.className = region.rejected ? "region rejected" : "region";
  const input = document.createElement("img");
  input.src = region.input_png;
  input.alt = "the 28x28 input the model saw";
  input.className = "model-input";
  const bars = document.createElement("div");
  bars.className = "bars";
  for (const [label, p] of region.top_k) {
    const row = document.createElement("div");
    row.className = "bar";
    const name = document.createElement("span");
    name.textContent = label;
    const bar = document.createElement("div");
    bar.style.width = `${Math.max(1, 120 * p)}px`;
    const value = document.createElement("span");
    value.textContent = percent(p);
    row.append(name, bar, value);
    bars.append(row);
  }
  view.append(input, bars);
  return view;
}

function showError(element, error) {
  element.replaceChildren();
  const message = document.createElement("span");
  message.className = "error";
  message.textContent = error.message;
  element.append(message);
}

// Read `blob` and show the answer in `element`; `annotated`: with the image, the regions drawn on it.
async function classify(blob, element, annotated) {
  try {
    const reading = await api(`/api/classify?top_k=${TOP_K}&inputs=1&annotated=${annotated ? 1 : 0}`, {
      method: "POST",
      headers: { "Content-Type": blob.type || "application/octet-stream" },
      body: blob,
    });
    showResult(element, reading);
  } catch (error) {
    showError(element, error);
  }
}

const canvas = $("canvas");
const pen = canvas.getContext("2d");

function clearCanvas() {
  pen.fillStyle = "#fff";
  pen.fillRect(0, 0, canvas.width, canvas.height);
}

function point(event) {
  const box = canvas.getBoundingClientRect();
  return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
}

canvas.addEventListener("pointerdown", (event) => {
  canvas.setPointerCapture(event.pointerId);
  pen.beginPath();
  pen.moveTo(...point(event));
});
canvas.addEventListener("pointermove", (event) => {
  if (!canvas.hasPointerCapture(event.pointerId)) return;
  pen.lineTo(...point(event));
  pen.strokeStyle = "#000";
  pen.lineWidth = PEN_WIDTH;
  pen.lineCap = pen.lineJoin = "round";
  pen.stroke();
});
canvas.addEventListener("pointerup", (event) => canvas.releasePointerCapture(event.pointerId));
$("clear").addEventListener("click", () => { clearCanvas(); $("draw-result").replaceChildren(); });
$("read-drawing").addEventListener("click", () => canvas.toBlob((blob) => classify(blob, $("draw-result"), false), "image/jpeg", 0.95)); // PNG would carry alpha
$("upload").addEventListener("change", (event) => {
  const [file] = event.target.files;
  if (file) classify(file, $("upload-result"), true);
});

// --- start -----------------------------------------------------------------------------------

function start() {
  if (still) $("live").src = withToken("/api/frame.jpg"); // now, so that the load event waits for it
  loadInfo().then(still ? startPolling : connectStreams).catch((error) => setStatus(error.message, false));
}

$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  token = $("token").value;
  localStorage.setItem("edge-token", token);
  $("token-form").hidden = true;
  start();
});

clearCanvas();
start();
