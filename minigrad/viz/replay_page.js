// The replay page (minigrad.viz.replay): shows step k of n of a recorded backward pass.
// k = 0 is the start (only the root has a gradient: the seed); step k (1..n) is the
// k-th op whose backward rule ran. Every number shown is in the JSON of the
// script element "replay-data", already written as text: this script only picks what
// is visible at step k, and never loads anything.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("replay-data").textContent);
  const steps = data.steps;
  const n = steps.length;
  const $ = (role) => document.querySelector(`[data-role="${role}"]`);
  const slider = $("slider");
  const playButton = document.querySelector('[data-action="play"]');
  const svg = $("graph").querySelector("svg");

  // The drawing's nodes and edges, by minigrad's ids: Graphviz writes each id as
  // the <title> of the node's group, and "a->b" as the title of an edge's group.
  const nodes = {};
  for (const g of svg.querySelectorAll("g.node")) {
    nodes[g.querySelector("title").textContent] = g;
  }
  const edges = {}; // "t3->op5" -> its edge groups, one per use of t3 by op5
  for (const g of svg.querySelectorAll("g.edge")) {
    const [from, to] = g.querySelector("title").textContent.split("->");
    // a long edge may start at a copy of its tensor, "t3_copy12" (viz/layout.py)
    const key = from.replace(/_copy\d+$/, "") + "->" + to;
    (edges[key] = edges[key] || []).push(g);
  }

  let k = 0;
  let timer = null;

  function show(next) {
    k = Math.max(0, Math.min(n, next));
    $("step").textContent = `${k} / ${n}`;
    slider.value = String(k);
    clearMarks();
    markComplete();
    if (k === 0) {
      showStart();
    } else {
      showStep(steps[k - 1]);
    }
    showRunning();
  }

  function clearMarks() {
    for (const el of svg.querySelectorAll(".current, .upstream, .complete, .sending")) {
      el.classList.remove("current", "upstream", "complete", "sending");
    }
    for (const el of svg.querySelectorAll("text.edge-grad")) el.remove();
  }

  function markComplete() {
    for (const [id, last] of Object.entries(data.complete_after)) {
      if (last <= k && nodes[id]) nodes[id].classList.add("complete");
    }
  }

  function showStart() {
    $("op").textContent = "Start";
    $("rule").textContent =
      "The pass begins at the root: its gradient with respect to itself is the seed " +
      "(1 for a single number).";
    setKinks(0, false);
    fillList($("upstream"), [[name(data.root), data.running[data.root][0][1]]]);
    fillList($("contributions"), []);
    $("note").textContent = n ? "Press Next (or →) to run the first op's backward rule." : "";
  }

  function showStep(step) {
    $("op").textContent = `Step ${k}: ${step.op}`;
    $("rule").textContent = step.rule;
    setKinks(step.kinks, true);
    if (nodes[step.node]) {
      nodes[step.node].classList.add("current");
      nodes[step.node].scrollIntoView({ block: "center", inline: "center" });
    }
    fillList(
      $("upstream"),
      step.outputs.map((t, j) => [t === null ? "unused output" : name(t), step.upstream[j]])
    );
    for (const t of step.outputs) if (t !== null && nodes[t]) nodes[t].classList.add("upstream");
    const sent = [];
    const used = {}; // how many edges of each (tensor, op) pair are labelled already
    step.inputs.forEach((t, i) => {
      if (t === null) {
        sent.push([`argument ${i + 1}`, "a constant: no gradient"]);
        return;
      }
      const grad = step.contributions[i];
      sent.push([name(t), grad === null ? "nothing" : grad]);
      if (grad === null) return;
      const key = `${t}->${step.node}`;
      const edge = (edges[key] || [])[used[key] || 0];
      used[key] = (used[key] || 0) + 1;
      if (edge) labelEdge(edge, step.on_edges[i]);
    });
    fillList($("contributions"), sent);
    $("note").textContent =
      k === n ? "Last step done: each leaf's gradient in the table is its total." : "";
  }

  function setKinks(count, isStep) {
    const el = $("kinks");
    el.classList.toggle("at-kink", count > 0);
    if (!isStep) {
      el.textContent = "";
    } else if (count === 0) {
      el.textContent = "kinks: 0 (no input sat at a point where the op has no derivative)";
    } else {
      el.textContent =
        `kinks: ${count} input element${count === 1 ? "" : "s"} sat exactly at a kink, ` +
        "where the rule's chosen subgradient was used";
    }
  }

  // The gradient sent along an edge, written at the middle of the edge.
  function labelEdge(edge, text) {
    edge.classList.add("sending");
    const path = edge.querySelector("path");
    if (!path) return;
    const middle = path.getPointAtLength(path.getTotalLength() / 2);
    const label = document.createElementNS("http://www.w3.org/2000/svg", "text");
    label.setAttribute("class", "edge-grad");
    label.setAttribute("x", String(middle.x + 6)); // beside the edge, off its line
    label.setAttribute("y", String(middle.y + 4));
    label.textContent = text;
    edge.appendChild(label);
  }

  // The running table: every tensor that has a gradient by step k, with its sum so far.
  // A short gradient sits in its row; a longer one (an array) on a row of its own below.
  function showRunning() {
    const body = $("running").querySelector("tbody");
    body.replaceChildren();
    for (const [id, history] of Object.entries(data.running)) {
      let value = null;
      for (const [step, text] of history) if (step <= k) value = text;
      if (value === null) continue;
      const done = data.complete_after[id] <= k;
      const short = value.length <= 16 && !value.includes("\n");
      const status = done ? "✓ final" : "";
      const head = row(id, [name(id), data.tensors[id].shape, short ? value : "", status]);
      if (done) head.classList.add("complete");
      body.append(head);
      if (!short) {
        const below = row(id, [value]);
        below.className = "gradient";
        below.firstChild.colSpan = 4;
        body.append(below);
      }
    }
  }

  // A table row about tensor `id`: hovering it outlines the tensor's box in the graph.
  function row(id, texts) {
    const tr = document.createElement("tr");
    tr.dataset.tensor = id;
    for (const text of texts) {
      const cell = document.createElement("td");
      cell.textContent = text;
      tr.appendChild(cell);
    }
    tr.addEventListener("mouseenter", () => nodes[id] && nodes[id].classList.add("hover"));
    tr.addEventListener("mouseleave", () => nodes[id] && nodes[id].classList.remove("hover"));
    return tr;
  }

  function fillList(list, items) {
    list.replaceChildren();
    for (const [label, text] of items) {
      const item = document.createElement("li");
      const who = document.createElement("span");
      who.className = "name";
      who.textContent = label + ": ";
      item.append(who, text);
      list.appendChild(item);
    }
  }

  function name(id) {
    return data.tensors[id] ? data.tensors[id].name : id;
  }

  function stop() {
    clearInterval(timer);
    timer = null;
    playButton.textContent = "▶ Play";
  }

  function play() {
    if (timer !== null) return stop();
    if (k === n) show(0);
    playButton.textContent = "⏸ Pause";
    timer = setInterval(() => {
      show(k + 1);
      if (k === n) stop();
    }, 900);
  }

  const actions = {
    first: () => show(0),
    prev: () => show(k - 1),
    next: () => show(k + 1),
    last: () => show(n),
  };
  for (const button of document.querySelectorAll("[data-action]")) {
    const action = button.dataset.action;
    button.addEventListener("click", () => {
      if (action === "play") return play();
      stop();
      actions[action]();
    });
  }
  slider.addEventListener("input", () => {
    stop();
    show(Number(slider.value));
  });
  document.addEventListener("keydown", (event) => {
    if (event.target === slider) return; // the slider moves itself with the arrow keys
    const action = { ArrowLeft: "prev", ArrowRight: "next", Home: "first", End: "last" }[
      event.key
    ];
    if (!action) return;
    event.preventDefault();
    stop();
    actions[action]();
  });
  show(0);
})();
