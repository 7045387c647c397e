// The review page's keyboard and mouse: every decision is one POST to /api/decide, then the page
// reloads from the edition as saved (the server decides; this script only says what the reviewer did).
"use strict";
(function () {
  const token = document.querySelector('meta[name="aligner-token"]').content;
  const table = document.getElementById("links");
  const status = document.getElementById("status");
  const tab = sessionStorage.getItem("aligner-tab") || Math.random().toString(36).slice(2);
  sessionStorage.setItem("aligner-tab", tab);

  function say(text, ok) {
    if (!status) return;
    status.textContent = text;
    status.className = ok ? "ok" : "err";
  }
  const flash = sessionStorage.getItem("aligner-flash");
  if (flash) { sessionStorage.removeItem("aligner-flash"); say(flash, true); }

  // --- the map: a click anywhere opens the link of the pivot sentence under the pointer ---
  const map = document.getElementById("map");
  if (map) {
    map.addEventListener("click", function (event) {
      if (event.target.closest("a")) return;
      const box = map.getBoundingClientRect();
      const at = Math.floor((event.clientX - box.left) / box.width * Number(map.dataset.n));
      location.href = "/goto?w=" + encodeURIComponent(map.dataset.witness) + "&pivot=" + at;
    });
  }
  if (!table) return;

  const rows = Array.from(table.querySelectorAll("tr.link"));
  let current = null;
  function select(row, scroll) {
    if (!row) return;
    if (current) current.classList.remove("selected");
    current = row;
    row.classList.add("selected");
    if (scroll) row.scrollIntoView({ block: "center" });
  }
  function rowFromHash() {
    const id = decodeURIComponent(location.hash.slice(1));
    return id ? document.getElementById(id) : null;
  }
  select(rowFromHash() || rows.find((r) => r.classList.contains("low")) || rows[0], true);
  window.addEventListener("hashchange", () => select(rowFromHash(), true));
  const numbers = (text) => (text ? text.split(",").map(Number) : []);

  async function decide(row, decision) {
    if (!row && decision.op !== "undo") return;
    const body = Object.assign({ witness: table.dataset.witness, tab: tab }, decision);
    if (row) { body.pivot = numbers(row.dataset.pivot); body.sentences = numbers(row.dataset.witness); }
    say("saving…", true);
    let answer;
    try {
      const response = await fetch("/api/decide", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Aligner-Token": token },
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
      answer = await response.json();
    } catch (err) {
      say("not saved: the review server does not answer (" + err + ")", false);
      return;
    }
    if (!answer.ok) {
      say(answer.message, false);
      return;
    }
    sessionStorage.setItem("aligner-flash", answer.message);
    const target = new URL(answer.url, location.href);
    if (target.pathname + target.search === location.pathname + location.search) {
      location.hash = target.hash;
      location.reload();
    } else {
      location.href = target.href;
    }
  }

  function edge(row, side, first) {
    const list = numbers(side === "pivot" ? row.dataset.pivot : row.dataset.witness);
    return list.length ? list[first ? 0 : list.length - 1] : null;
  }
  function askSplit(row) {
    const p = numbers(row.dataset.pivot).length, w = numbers(row.dataset.witness).length;
    const given = prompt("Split: how many pivot and witness sentences go into the first part? (pivot 0-" + p +
      ", witness 0-" + w + ")", Math.ceil(p / 2) + " " + Math.ceil(w / 2));
    if (given === null) return;
    const parts = given.trim().split(/\s+/).map(Number);
    if (parts.length !== 2 || parts.some(isNaN)) { say("give the split as two numbers, e.g. 1 2", false); return; }
    decide(row, { op: "split", pivot_first: parts[0], witness_first: parts[1] });
  }
  function askDetach(row) {
    const given = prompt("Which sentence has no counterpart? p1, p2… (pivot) or w1, w2… (witness)", "w1");
    if (given === null) return;
    const match = /^([pw])(\d+)$/.exec(given.trim());
    if (!match) { say("give p1, w2, …", false); return; }
    const side = match[1] === "p" ? "pivot" : "witness";
    const list = numbers(side === "pivot" ? row.dataset.pivot : row.dataset.witness);
    const seg = list[Number(match[2]) - 1];
    if (seg === undefined) { say("the link has no sentence " + given.trim(), false); return; }
    decide(row, { op: "detach", side: side, segment: seg });
  }
  function askNote(row) {
    const text = prompt("Note on this link:");
    if (text) decide(row, { op: "note", note: text });
  }

  // --- the mouse: buttons, and a sentence dragged onto the link above or below ---
  document.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-op]");
    if (!button) return;
    const row = button.closest("tr.link");
    if (row) select(row, false);
    const d = button.dataset;
    if (d.op === "split") return askSplit(row);
    if (d.op === "note") return askNote(row);
    const decision = { op: d.op };
    if (d.side) decision.side = d.side;
    if (d.direction) decision.direction = d.direction;
    if (d.segment !== undefined) decision.segment = Number(d.segment);
    decide(row, decision);
  });
  rows.forEach((row) => row.addEventListener("click", (event) => { if (!event.target.closest("button")) select(row, false); }));
  let dragged = null;
  table.addEventListener("dragstart", function (event) {
    const s = event.target.closest(".s[draggable]");
    if (!s) return;
    dragged = { row: s.closest("tr.link"), side: s.dataset.side, segment: Number(s.dataset.seg) };
    event.dataTransfer.setData("text/plain", s.title);
    event.dataTransfer.effectAllowed = "move";
  });
  table.addEventListener("dragover", function (event) {
    const row = event.target.closest("tr.link");
    if (!dragged || !row || row === dragged.row) return;
    event.preventDefault();
    rows.forEach((r) => r.classList.toggle("drop", r === row));
  });
  table.addEventListener("drop", function (event) {
    const row = event.target.closest("tr.link");
    rows.forEach((r) => r.classList.remove("drop"));
    if (!dragged || !row) return;
    event.preventDefault();
    const from = rows.indexOf(dragged.row), to = rows.indexOf(row);
    if (Math.abs(from - to) !== 1) { say("drop a sentence on the link just above or below it", false); return; }
    decide(dragged.row, { op: "move", side: dragged.side, segment: dragged.segment,
      direction: to < from ? "previous" : "next" });
    dragged = null;
  });

  // --- the keyboard ---
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, select, textarea")) return;
    const row = current;
    const at = rows.indexOf(row);
    switch (event.key) {
      case "j": case "ArrowDown": select(rows[Math.min(at + 1, rows.length - 1)], true); break;
      case "k": case "ArrowUp": select(rows[Math.max(at - 1, 0)], true); break;
      case "g": { const first = document.querySelector("aside.queue a"); if (first) location.href = first.href; break; }
      case "a": decide(row, { op: "accept" }); break;
      case "p": decide(row, { op: "move", side: "pivot", direction: "previous", segment: edge(row, "pivot", true) }); break;
      case "P": decide(row, { op: "move", side: "pivot", direction: "next", segment: edge(row, "pivot", false) }); break;
      case "w": decide(row, { op: "move", side: "witness", direction: "previous", segment: edge(row, "witness", true) }); break;
      case "W": decide(row, { op: "move", side: "witness", direction: "next", segment: edge(row, "witness", false) }); break;
      case "m": decide(row, { op: "merge", direction: "previous" }); break;
      case "M": decide(row, { op: "merge", direction: "next" }); break;
      case "s": askSplit(row); break;
      case "n": askDetach(row); break;
      case "t": askNote(row); break;
      case "u": decide(null, { op: "undo" }); break;
      default: return;
    }
    event.preventDefault();
  });
})();
