// Arbor's run page: plain JavaScript, no build step. The run list polls /api/runs; a run page
// takes the snapshot (/api/runs/{id}) for the run's facts, then follows /api/runs/{id}/events
// (Server-Sent Events) from the first event and rebuilds the tree from them.
"use strict";

const token = new URLSearchParams(location.search).get("token");
const main = document.getElementById("main");
const crumb = document.getElementById("crumb");
const connection = document.getElementById("connection");
const errorBox = document.getElementById("error");
// What the browser tests read: the run state, and commit-to-page latencies in milliseconds.
window.arbor = { latencies: [], renderMs: [], renderedSeq: 0, state: null };

const MAX_LIVE_TEXT = 2000;   // characters of a task's raw text kept while it is written
const MAX_POINTS = 4000;      // KV plot points kept (older ones are thinned)
// A 100k-token run has a hundred rounds and thousands of tasks: the page draws the last rounds
// and the last tasks of each, and the rest on request, so a frame costs the same at any length.
const ROUNDS_SHOWN = 3;
const TASKS_SHOWN = 100;
const SNAPSHOT_LIMIT = 200;   // tree nodes, tool calls and rounds the snapshot carries (the events bring the rest)

function withToken(path) {
  return token ? path + (path.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token) : path;
}

async function getJSON(path) {
  const response = await fetch(withToken(path));
  const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
  return body;
}

// A POST of the page's actions: resolves to the JSON answer, or throws an Error carrying the
// server's message and the JSON pointer of the value at fault (if any).
async function postJSON(path, body = {}) {
  const response = await fetch(withToken(path), {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const answer = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw Object.assign(new Error(answer.error || `HTTP ${response.status}`), { pointer: answer.pointer, status: response.status });
  return answer;
}

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = !message;
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    if (key === "class") node.className = value; else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function age(iso) {
  const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

function pretty(value) {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

// ---- Run list ------------------------------------------------------------------------------

let listTimer = null;
let listFilter = "";

async function showList() {
  crumb.textContent = "runs";
  const start = el("section", { id: "start-run" }, el("h2", {}, "Start a run"), el("p", { class: "muted" }, "loading…"));
  main.replaceChildren(start, el("input", { type: "search", id: "filter", placeholder: "filter by id, workflow or status" }),
                       el("div", { id: "runs" }, el("p", { class: "muted" }, "loading…")));
  fillStartForm(start);
  const filter = document.getElementById("filter");
  filter.value = listFilter;
  filter.addEventListener("input", () => { listFilter = filter.value; refreshList(); });
  await refreshList();
  listTimer = setInterval(refreshList, 1000);
}

let lastRuns = [];
async function refreshList() {
  try {
    lastRuns = await getJSON("/api/runs");
    showError("");
  } catch (error) {
    showError("Cannot list the runs: " + error.message);
  }
  const needle = listFilter.trim().toLowerCase();
  const rows = lastRuns.filter(run => !needle || [run.id, run.workflow, run.status].some(f => f.toLowerCase().includes(needle)));
  const table = el("table", {},
    el("thead", {}, el("tr", {}, ["status", "run", "workflow", "tokens", "tool calls", "rounds", "age"].map(h => el("th", {}, h)))),
    el("tbody", {}, rows.map(run => el("tr", { "data-run-id": run.id },
      el("td", { class: `status status-${run.status}` }, run.status),
      el("td", {}, el("a", { href: `#/runs/${encodeURIComponent(run.id)}` }, run.id)),
      el("td", {}, run.workflow),
      el("td", { class: "num" }, run.tokens), el("td", { class: "num" }, run.toolCalls), el("td", { class: "num" }, run.rounds),
      el("td", { class: "num" }, age(run.createdAt))))));
  const holder = document.getElementById("runs");
  if (holder) holder.replaceChildren(rows.length ? table : el("p", { class: "muted" }, "No runs yet: start one with `arbor run`."));
}

// ---- Start form: one field per input of the chosen workflow, from its JSON Schema -----------

async function fillStartForm(section) {
  let catalog;
  try {
    catalog = await getJSON("/api/workflows");
  } catch (error) {
    section.replaceChildren(el("h2", {}, "Start a run"), el("p", { class: "muted" }, "Cannot list the workflows: " + error.message));
    return;
  }
  const problems = catalog.problems.map(p => el("p", { class: "form-error" }, p));
  if (!catalog.workflows.length) {
    section.replaceChildren(el("h2", {}, "Start a run"), ...problems,
      el("p", { class: "muted" }, "No workflows offered: start the server with `arbor serve --workflows FOLDER_OR_FILE...`."));
    return;
  }
  const select = el("select", { id: "workflow" }, catalog.workflows.map(w => el("option", { value: w.name }, w.name)));
  const about = el("p", { class: "muted" });
  const fields = el("div", { id: "inputs" });
  const failure = el("div", { id: "start-error", class: "form-error", hidden: "" });
  const button = el("button", { type: "submit", id: "start" }, "Start");
  const form = el("form", { id: "start-form" }, el("label", {}, "workflow ", select), about, fields, button, failure);
  const chosen = () => catalog.workflows.find(w => w.name === select.value);
  const fill = () => {
    about.textContent = chosen().description || "";
    fields.replaceChildren(...chosen().inputs.map(inputField));
  };
  select.addEventListener("change", fill);
  fill();
  form.addEventListener("submit", async event => {
    event.preventDefault();
    failure.hidden = true;
    for (const field of fields.querySelectorAll(".invalid")) field.classList.remove("invalid");
    button.disabled = true;
    try {
      const inputs = {};
      for (const input of chosen().inputs) {
        const value = fieldValue(fields.querySelector(`[data-input="${CSS.escape(input.name)}"]`), input);
        if (value !== undefined) inputs[input.name] = value;
      }
      const answer = await postJSON("/api/runs", { workflow: select.value, inputs });
      location.hash = `#/runs/${encodeURIComponent(answer.run)}`;
    } catch (error) {
      failure.textContent = error.message;
      failure.hidden = false;
      const name = (error.pointer || "").match(/^\/inputs\/([^/]+)/);
      const field = name && fields.querySelector(`[data-input="${CSS.escape(name[1].replace(/~1/g, "/").replace(/~0/g, "~"))}"]`);
      if (field) field.classList.add("invalid");
    } finally {
      button.disabled = false;
    }
  });
  section.replaceChildren(el("h2", {}, "Start a run"), ...problems, form);
}

// The control for one input: a list of choices for an enum, a number box, a checkbox, a text
// box for a string, and JSON text for anything else; the default filled in.
function inputField(input) {
  const schema = input.schema || {};
  const common = { "data-input": input.name, id: `input-${input.name}`, name: input.name };
  let control;
  if (Array.isArray(schema.enum)) {
    control = el("select", common, schema.enum.map(v => el("option", { value: JSON.stringify(v) }, pretty(v))));
    if (input.default !== undefined) control.value = JSON.stringify(input.default);
  } else if (schema.type === "integer" || schema.type === "number") {
    control = el("input", { ...common, type: "number", step: schema.type === "integer" ? "1" : "any",
                            min: schema.minimum, max: schema.maximum, value: input.default });
  } else if (schema.type === "boolean") {
    control = el("input", { ...common, type: "checkbox" });
    control.checked = input.default === true;
  } else if (schema.type === "string") {
    control = el("textarea", { ...common, rows: 2 }, input.default ?? "");
  } else {
    control = el("textarea", { ...common, rows: 3, "data-json": "" }, input.default === undefined ? "" : JSON.stringify(input.default, null, 2));
  }
  const label = el("label", { class: "input", for: common.id }, el("b", {}, input.name), input.required ? " (required)" : "",
                   input.description ? el("span", { class: "muted" }, " — " + input.description) : null);
  return el("div", { class: "field" }, label, control);
}

// What a control holds as JSON; undefined leaves the input to its default.
function fieldValue(control, input) {
  if (control.tagName === "SELECT") return JSON.parse(control.value);
  if (control.type === "checkbox") return control.checked;
  const text = control.value;
  if (text === "" && !input.required) return undefined;
  if (control.type === "number") return text === "" ? text : Number(text);
  if (!control.hasAttribute("data-json")) return text;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw Object.assign(new Error(`Input /inputs/${input.name} is not JSON: ${error.message}`), { pointer: `/inputs/${input.name}` });
  }
}

// ---- Run page ------------------------------------------------------------------------------

let source = null;

function newState(id) {
  return { id, run: null, snapshotSeq: 0, seq: 0, status: "running", output: null, closedAtTokenLimit: false, error: null,
           round: 0, rounds: new Map(), tools: new Map(), pruned: [], points: [], summaries: new Map(), looseText: "",
           collapsed: new Set(), allRounds: false, allTasks: new Set() };
}

function nodeOf(state, round, path) {
  if (!state.rounds.has(round)) state.rounds.set(round, new Map());
  const nodes = state.rounds.get(round);
  if (!nodes.has(path)) nodes.set(path, { round, path, seq: null, state: "open", thought: "", conclusion: "", text: "" });
  return nodes.get(path);
}

function apply(state, event) {
  const d = event.data;
  state.seq = event.seq;
  switch (event.kind) {
    case "nodeOpened": nodeOf(state, d.round, d.path).seq = d.seq; state.round = d.round; break;
    case "text":
      if (d.path !== null) {
        const node = nodeOf(state, d.round, d.path);
        node.text = (node.text + d.text).slice(-MAX_LIVE_TEXT);
      } else {
        state.looseText = (state.looseText + d.text).slice(-MAX_LIVE_TEXT);
      }
      break;
    case "nodeClosed": Object.assign(nodeOf(state, d.round, d.path), { state: "closed", thought: d.thought, conclusion: d.conclusion }); break;
    // a call belongs to the round being decoded when it started (paths repeat in every round)
    case "toolStarted": case "toolFinished":
      state.tools.set(d.index, Object.assign(state.tools.get(d.index) || { round: state.round }, d)); break;
    case "pruned": state.pruned.push([d.from, d.to]); break;
    case "roundEnded": state.summaries.set(d.number, d); break;
    case "checkpoint":
      state.points.push({ tokens: d.tokens, kv: d.kvSlots, at: event.at });
      if (state.points.length > MAX_POINTS) state.points = state.points.filter((_, i) => i % 2 === 0);
      break;
    case "finished": Object.assign(state, { status: "completed", output: d.output, closedAtTokenLimit: d.closedAtTokenLimit }); break;
    case "paused": Object.assign(state, { status: "paused", pendingAction: null }); break;
    case "failed": Object.assign(state, { status: "failed", error: d.error, pendingAction: null }); break;
    case "resumed": Object.assign(state, { status: "running", pendingAction: null }); break;
  }
}

function isPruned(state, node) {
  return node.seq !== null && state.pruned.some(([from, to]) => node.seq >= from && node.seq < to);
}

async function showRun(id) {
  crumb.textContent = `run ${id}`;
  main.replaceChildren(el("p", { class: "muted" }, "loading…"));
  const state = newState(id);
  window.arbor.state = state;
  try {
    const snapshot = await getJSON(`/api/runs/${encodeURIComponent(id)}?limit=${SNAPSHOT_LIMIT}`);
    state.run = snapshot.run;
    state.snapshotSeq = snapshot.seq;
    state.status = snapshot.run.status;
    showError("");
  } catch (error) {
    main.replaceChildren();
    showError(`Cannot show run ${id}: ${error.message}`);
    return;
  }
  render(state);
  follow(state);
}

function follow(state) {
  source = new EventSource(withToken(`/api/runs/${encodeURIComponent(state.id)}/events`));
  let pending = [];
  let scheduled = false;
  source.onopen = () => { connection.dataset.state = "live"; connection.textContent = "live"; };
  source.onerror = () => { connection.dataset.state = "retrying"; connection.textContent = "reconnecting"; };
  source.onmessage = message => {
    const event = JSON.parse(message.data);
    if (event.seq <= state.seq) return;  // never applied twice
    apply(state, event);
    if (event.seq > state.snapshotSeq) pending.push(event.at);
    // During the replay up to the snapshot, render once at its end; then once a frame.
    if (event.seq < state.snapshotSeq || scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      const started = performance.now();
      render(state);
      window.arbor.renderMs.push(performance.now() - started);
      const now = Date.now();
      for (const at of pending) window.arbor.latencies.push(now - at * 1000);
      pending = [];
      window.arbor.renderedSeq = state.seq;
    });
  };
}

function render(state) {
  const run = state.run;
  const facts = el("div", { class: "facts" },
    el("span", {}, "status ", el("b", { class: `status status-${state.status}`, id: "run-status" }, state.status)),
    el("span", {}, "workflow ", el("b", {}, run.workflow)),
    el("span", {}, "tokens ", el("b", { id: "run-tokens" }, state.points.length ? state.points[state.points.length - 1].tokens : run.progress.tokens)),
    el("span", {}, "tool calls ", el("b", {}, Math.max(state.tools.size, run.progress.toolCalls))),
    el("span", {}, "started ", el("b", {}, age(run.createdAt) + " ago")),
    el("span", {}, "events ", el("b", {}, state.seq)));
  const sections = [el("section", {}, el("h2", {}, `Run ${run.id}`), facts, runActions(state))];
  sections.push(answerSection(state));
  sections.push(el("section", {}, el("h2", {}, "KV slots over tokens"), plot(state)));
  sections.push(treeSection(state));
  main.replaceChildren(...sections);
}

// Stop while it runs; resume when it is paused or failed. Each is a POST; the page then
// follows the run's events as before (the run writes `paused`, then `resumed`).
function runActions(state) {
  const bar = el("div", { class: "actions" });
  const act = async (button, path, label) => {
    button.disabled = true;
    button.textContent = label;
    try {
      await postJSON(path);
      showError("");
    } catch (error) {
      state.pendingAction = null;
      showError(error.message);
      render(state);
    }
  };
  const path = `/api/runs/${encodeURIComponent(state.id)}`;
  if (state.status === "running") {
    const stopping = state.pendingAction === "stop";
    const stop = el("button", { id: "stop", type: "button" }, stopping ? "stopping…" : "Stop");
    stop.disabled = stopping;
    stop.addEventListener("click", () => { state.pendingAction = "stop"; act(stop, path + "/stop", "stopping…"); });
    bar.append(stop, el("span", { class: "muted" }, " stops between tokens with everything committed; the run ends paused and can be resumed"));
  } else if (state.status === "paused" || state.status === "failed") {
    const resuming = state.pendingAction === "resume";
    const resume = el("button", { id: "resume", type: "button" }, resuming ? "resuming…" : "Resume");
    resume.disabled = resuming;
    resume.addEventListener("click", () => { state.pendingAction = "resume"; act(resume, path + "/resume", "resuming…"); });
    bar.append(resume, el("span", { class: "muted" }, " continues from the last commit (as `arbor resume`)"));
  }
  return bar;
}

// A new run from the point where a finished task ended (as `arbor fork --at PATH --round N`).
async function forkAt(state, node) {
  try {
    const answer = await postJSON(`/api/runs/${encodeURIComponent(state.id)}/fork`, { at: node.path, round: node.round });
    location.hash = `#/runs/${encodeURIComponent(answer.run)}`;
  } catch (error) {
    showError(error.message);
  }
}

function answerSection(state) {
  if (state.status === "completed" && state.output !== null) {
    return el("section", { id: "answer" }, el("h2", {}, "Answer"),
      el("p", { class: "muted" }, state.closedAtTokenLimit
        ? "Closed at the token limit: the tree was closed the shortest way (not a normal finish)."
        : "Checked against the workflow's output schema by the runtime."),
      el("pre", { class: "answer" }, pretty(state.output)));
  }
  if (state.status === "failed") return el("section", { id: "answer" }, el("h2", {}, "Failed"), el("pre", {}, state.error || ""));
  const writing = state.looseText ? el("div", { class: "live-text" }, state.looseText.slice(-400)) : null;
  return el("section", { id: "answer" }, el("h2", {}, "Answer"),
    el("p", { class: "muted" }, state.status === "paused" ? "Paused: Resume (or `arbor resume`) continues it." : "Not yet: the run is still reasoning."), writing);
}

function plot(state) {
  const points = state.points;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "plot");
  svg.setAttribute("viewBox", "0 0 1000 180");
  svg.setAttribute("preserveAspectRatio", "none");
  if (points.length < 2) return svg;
  const maxTokens = points[points.length - 1].tokens || 1;
  const maxKV = Math.max(1, ...points.map(p => p.kv));
  const x = t => 40 + 950 * t / maxTokens;
  const y = v => 165 - 150 * v / maxKV;
  const line = (cls, coords) => {
    const path = document.createElementNS(ns, "polyline");
    path.setAttribute("class", cls);
    path.setAttribute("points", coords.join(" "));
    svg.append(path);
  };
  line("kv", points.map(p => `${x(p.tokens).toFixed(1)},${y(p.kv).toFixed(1)}`));
  // tokens/s between checkpoints, smoothed over 8, scaled to the same height
  const rates = [];
  for (let i = 8; i < points.length; i++) {
    const dt = points[i].at - points[i - 8].at;
    if (dt > 0) rates.push([points[i].tokens, (points[i].tokens - points[i - 8].tokens) / dt]);
  }
  const maxRate = Math.max(1, ...rates.map(r => r[1]));
  if (rates.length > 1) line("rate", rates.map(([t, r]) => `${x(t).toFixed(1)},${(165 - 150 * r / maxRate).toFixed(1)}`));
  const label = (text, lx, ly) => { const t = document.createElementNS(ns, "text"); t.setAttribute("x", lx); t.setAttribute("y", ly); t.textContent = text; svg.append(t); };
  label(`${maxKV} slots`, 2, 14);
  label(`${maxTokens} tokens`, 920, 178);
  if (rates.length > 1) label(`--- tokens/s (peak ${maxRate.toFixed(1)})`, 600, 14);
  return svg;
}

function treeSection(state) {
  const section = el("section", { id: "tree" }, el("h2", {}, "Reasoning tree"));
  const allRounds = [...state.rounds.keys()].sort((a, b) => a - b);
  if (!allRounds.length) section.append(el("p", { class: "muted" }, "No task yet."));
  const rounds = state.allRounds ? allRounds : allRounds.slice(-ROUNDS_SHOWN);
  if (rounds.length < allRounds.length) {
    const earlier = allRounds.slice(0, allRounds.length - rounds.length);
    const more = el("button", { type: "button", class: "more", id: "all-rounds" }, `show their ${earlier.length} trees`);
    more.addEventListener("click", () => { state.allRounds = true; render(state); });
    section.append(el("div", { class: "earlier-rounds" },
      el("p", { class: "muted" }, `${earlier.length} earlier rounds: their summaries `, more),
      earlier.map(round => {
        const summary = (state.summaries.get(round) || {}).summary || "";
        return el("div", { class: "summary", "data-round": round }, el("b", {}, `Round ${round}: `),
                  summary.length > 300 ? summary.slice(0, 300) + "…" : summary);
      })));
  }
  const toolsByNode = new Map();
  for (const call of state.tools.values()) {
    const key = `${call.round}/${call.path}`;
    if (!toolsByNode.has(key)) toolsByNode.set(key, []);
    toolsByNode.get(key).push(call);
  }
  for (const round of rounds) {
    const nodes = state.rounds.get(round);
    const children = new Map();
    for (const node of nodes.values()) {
      const parent = node.path.includes(".") ? node.path.slice(0, node.path.lastIndexOf(".")) : "";
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(node);
    }
    const order = (a, b) => { const pa = a.path.split(".").map(Number), pb = b.path.split(".").map(Number);
      for (let i = 0; i < Math.min(pa.length, pb.length); i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
      return pa.length - pb.length; };
    const build = node => {
      const key = `${round}/${node.path}`;
      const pruned = isPruned(state, node);
      const details = el("details", { class: "node", "data-round": round, "data-path": node.path,
                                      "data-state": pruned ? "pruned" : node.state });
      if (!state.collapsed.has(key)) details.open = true;
      details.addEventListener("toggle", () => { if (details.open) state.collapsed.delete(key); else state.collapsed.add(key); });
      const summary = el("summary", {}, el("span", { class: "path" }, node.path), node.thought || (node.state === "open" ? "" : "(no thought)"));
      if (node.state === "closed") {
        const fork = el("button", { type: "button", class: "fork", title: "a new run that keeps everything through this task and decodes on" }, "fork here");
        fork.addEventListener("click", event => { event.preventDefault(); event.stopPropagation(); forkAt(state, node); });
        summary.append(" ", fork);
      }
      details.append(summary);
      if (node.state === "open" && node.text) details.append(el("div", { class: "live-text" }, node.text.slice(-400)));
      for (const call of toolsByNode.get(key) || []) details.append(toolView(call));
      for (const child of (children.get(node.path) || []).sort(order)) details.append(build(child));
      if (node.conclusion) details.append(el("div", { class: "conclusion" }, "→ " + node.conclusion));
      return details;
    };
    const block = el("div", { class: "round", "data-round": round }, el("h3", {}, `Round ${round}`));
    const tops = (children.get("") || []).sort(order);
    const shown = state.allTasks.has(round) ? tops : tops.slice(-TASKS_SHOWN);
    if (shown.length < tops.length) {
      const more = el("button", { type: "button", class: "more" }, "show them");
      more.addEventListener("click", () => { state.allTasks.add(round); render(state); });
      block.append(el("p", { class: "muted hidden-tasks" }, `${tops.length - shown.length} earlier tasks of this round hidden `, more));
    }
    for (const top of shown) block.append(build(top));
    const summary = state.summaries.get(round);
    if (summary && summary.summary) block.append(el("div", { class: "summary" }, el("b", {}, "Summary: "), el("pre", {}, summary.summary)));
    section.append(block);
  }
  return section;
}

function toolView(call) {
  const failed = call.status === "failed";
  return el("div", { class: "tool" + (failed ? " failed" : ""), "data-tool-index": call.index },
    el("span", { class: "name" }, `${call.tool}`), " ",
    el("span", { class: "muted" }, call.status === "started" ? "running…" : `${call.status} in ${(call.seconds || 0).toFixed(3)} s`),
    el("pre", {}, "arguments: " + pretty(call.arguments)),
    call.result !== undefined ? el("pre", {}, "result: " + pretty(call.result)) : null,
    call.error ? el("pre", {}, "error: " + call.error) : null);
}

// ---- Routing -------------------------------------------------------------------------------

function route() {
  if (listTimer) { clearInterval(listTimer); listTimer = null; }
  if (source) { source.close(); source = null; }
  connection.textContent = "";
  connection.dataset.state = "idle";
  const match = location.hash.match(/^#\/runs\/(.+)$/);
  if (match) showRun(decodeURIComponent(match[1])); else showList();
}

window.addEventListener("hashchange", route);
route();
