// The studio page: the editor, the player, the shot cards, notes and the live build.
"use strict";
(() => {
  const params = new URLSearchParams(location.search);
  const token = params.get("token") || sessionStorage.getItem("storyreel-token") || "";
  sessionStorage.setItem("storyreel-token", token);
  if (params.has("token")) history.replaceState(null, "", location.pathname);  // the cookie carries it now

  const $ = id => document.getElementById(id);
  const el = (tag, props = {}, ...children) => {
    const e = Object.assign(document.createElement(tag), props);
    for (const c of children) e.append(c);
    return e;
  };
  const api = async (method, path, body) => {
    const r = await fetch(path, {method, headers: {"X-Storyreel-Token": token,
      ...(body ? {"Content-Type": "application/json"} : {})}, body: body && JSON.stringify(body)});
    const data = await r.json().catch(() => ({}));
    return {ok: r.ok, status: r.status, data};
  };

  const state = {digest: null, dirty: false, reel: {shots: []}, version: 0, cursorShot: null,
    playingShot: null, openShot: null, source: "draft.mp4", fps: 24, startTc: "01:00:00:00", notes: [],
    revisions: [], revisedShots: new Set()};
  window.studio = state;  // for the curious, and for the browser tests
  const video = $("player");
  let editor;

  // --- time -------------------------------------------------------------------------------
  const fpsOf = s => { const [n, d] = String(s).split("/"); return Number(n) / Number(d || 1); };
  function timecode(seconds) {
    const fps = Math.round(state.fps), [h, m, s, f] = state.startTc.split(/[:;]/).map(Number);
    let frames = (((h * 60 + m) * 60 + s) * fps + f) + Math.round(seconds * state.fps);
    const ff = frames % fps; frames = (frames - ff) / fps;
    const pad = n => String(n).padStart(2, "0");
    return `${pad(Math.floor(frames / 3600))}:${pad(Math.floor(frames / 60) % 60)}:${pad(frames % 60)}:${pad(ff)}`;
  }
  function secondsOf(tc) {
    const fps = Math.round(state.fps);
    const frames = tc => { const [h, m, s, f] = tc.split(/[:;]/).map(Number); return ((h * 60 + m) * 60 + s) * fps + f; };
    return (frames(tc) - frames(state.startTc)) / state.fps;
  }

  // --- status and banner -------------------------------------------------------------------
  function status(text, kind = "") { const s = $("status"); s.textContent = text; s.className = "status " + kind; }
  function banner(text, actions = [], kind = "") {
    const b = $("banner");
    b.replaceChildren(el("span", {textContent: text}), ...actions.map(([label, fn]) =>
      el("button", {textContent: label, onclick: fn})));
    b.className = "banner " + kind; b.hidden = false; document.body.classList.add("has-banner");
  }
  function clearBanner() { $("banner").hidden = true; document.body.classList.remove("has-banner"); }
  function log(text, bad = false) {
    const l = $("log"); l.prepend(el("li", {textContent: text, className: bad ? "bad" : ""}));
    while (l.children.length > 60) l.lastChild.remove();
  }
  function setDirty(d) { state.dirty = d; $("dirty").hidden = !d; }

  // --- the script ---------------------------------------------------------------------------
  async function save(force) {
    const text = editor.getDoc();
    status("saving…", "busy");
    const r = await api("PUT", "/api/script", {text, base: state.digest});
    if (r.status === 409 && !force) {
      conflict(r.data);
      return;
    }
    if (!r.ok) { banner(r.data.error || `save failed (${r.status})`); return; }
    state.digest = r.data.digest; setDirty(editor.getDoc() !== text);
    if (!$("banner").classList.contains("info")) clearBanner();
    if ($("status").textContent === "saving…") status(r.data.saved ? "saved; building…" : "saved");
  }
  function conflict(disk) {
    banner(disk.error || "the script changed on disk", [
      ["Load the version on disk", () => { editor.setDoc(disk.text); state.digest = disk.digest; setDirty(false); clearBanner(); }],
      ["Keep mine (save over it)", () => { state.digest = disk.digest; clearBanner(); save(true); }],
    ]);
  }
  async function diskChanged(digest) {
    if (digest === state.digest) return;
    const r = await api("GET", "/api/script");
    if (!state.dirty) { editor.setDoc(r.data.text); state.digest = r.data.digest; log("script reloaded from disk"); }
    else conflict({error: "the script changed on disk while you were editing it", ...r.data});
  }

  // --- cursor ↔ shot ↔ player -----------------------------------------------------------------
  function shotAtLine(line) {  // the shot on that line, the one its directive opens, or the one before
    const shots = state.reel.shots;
    const on = shots.find(s => s.lines[0] <= line && line <= s.lines[1]);
    if (on) return on;
    const next = shots.find(s => s.lines[0] === line + 1);
    if (next) return next;
    let before = null;
    for (const s of shots) if (s.lines[0] <= line && (!before || s.lines[0] >= before.lines[0])) before = s;
    return before;
  }
  function shotAtTime(t) {
    let found = state.reel.shots[0] || null;
    for (const s of state.reel.shots) if (s.start <= t + 1e-3) found = s;
    return found;
  }
  function markCards() {
    for (const c of $("strip").children) {
      c.classList.toggle("cursor", c.dataset.shot === state.cursorShot);
      c.classList.toggle("playing", c.dataset.shot === state.playingShot);
      c.classList.toggle("open", c.dataset.shot === state.openShot);
      c.classList.toggle("revised", state.revisedShots.has(c.dataset.shot));
    }
  }
  function onCursor(line) {
    const s = shotAtLine(line);
    const id = s && s.id;
    if (id === state.cursorShot) return;
    state.cursorShot = id; markCards();
    if (s && video.paused) { video.currentTime = s.start + 0.001; }
  }
  video.addEventListener("timeupdate", showPlaying);
  video.addEventListener("seeked", showPlaying);
  function showPlaying() {
    const s = shotAtTime(video.currentTime);
    $("now").textContent = timecode(video.currentTime) + (s ? "  " + s.id : "");
    const id = s && s.id;
    if (id === state.playingShot) return;
    state.playingShot = id; markCards();
    if (s) {
      editor.showShot(s.lines[0], s.lines[1], !video.paused);
      const card = $("strip").querySelector(`[data-shot="${CSS.escape(id)}"]`);
      if (card) card.scrollIntoView({block: "nearest", inline: "nearest"});
    }
  }

  // --- the reel -----------------------------------------------------------------------------
  function loadVideo() {
    const at = video.currentTime, playing = !video.paused && !video.ended;
    const src = `/media/${state.source}?v=${state.version}`;
    if (video.getAttribute("src") === src) return;
    video.setAttribute("src", src);
    video.dataset.version = state.version;
    video.addEventListener("loadedmetadata", () => {
      video.currentTime = Math.min(at, Math.max(0, video.duration - 0.01));
      if (playing) video.play().catch(() => {});
    }, {once: true});
  }
  function showReel(reel, version) {
    state.reel = reel; state.version = version; state.fps = fpsOf(reel.fps); state.startTc = reel.start_timecode;
    const strip = $("strip");
    strip.replaceChildren(...reel.shots.map(s => {
      const img = el("img", {alt: "", loading: "lazy"});
      if (s.take) img.src = `/api/takes/${encodeURIComponent(s.take)}/image`;
      const card = el("div", {className: "card" + (s.failed ? " failed" : ""), title: s.failed || s.description},
        img, el("div", {className: "meta"}, el("div", {className: "id", textContent: s.id}),
          el("div", {className: "sub", textContent: s.failed ? "failed" : `${s.size} · ${s.move} · ${s.duration.toFixed(1)}s`})));
      card.dataset.shot = s.id;
      card.onclick = () => { video.currentTime = s.start + 0.001; openShot(s.id); };
      return card;
    }));
    state.playingShot = null; markCards(); loadVideo(); renderNotes();
    if (state.openShot && reel.shots.some(s => s.id === state.openShot)) openShot(state.openShot);
    document.body.dataset.version = version;
  }

  async function openShot(id) {
    state.openShot = id; markCards();
    const s = state.reel.shots.find(x => x.id === id);
    const [r, heard] = await Promise.all([api("GET", `/api/shots/${encodeURIComponent(id)}/takes`),
      api("GET", `/api/shots/${encodeURIComponent(id)}/sound`)]);
    if (state.openShot !== id) return;
    const panel = $("shot-panel");
    const takes = (r.data || []).filter(t => t.kind === "still" && !t.stale);
    const clips = (r.data || []).filter(t => t.kind === "clip" && !t.stale);
    const head = el("div", {className: "shot-head"},
      el("span", {className: "title", textContent: id}),
      el("span", {className: "muted", textContent: `${s.scene} · ${s.size} · ${s.angle} · ${s.move} · ${s.duration.toFixed(2)}s · lines ${s.lines[0]}–${s.lines[1]}`}),
      el("button", {textContent: "2 more takes", onclick: () => post(`/api/shots/${encodeURIComponent(id)}/more`, {n: 2})}),
      ...(s.failed ? [el("button", {textContent: "Retry", onclick: () => post(`/api/shots/${encodeURIComponent(id)}/retry`, {})})] : []));
    const grid = el("div", {className: "takes"}, ...takes.map(t => {
      const card = el("div", {className: "take" + (t.selected ? " selected" : "")},
        el("img", {src: `/api/takes/${encodeURIComponent(t.id)}/image`, alt: ""}),
        el("div", {className: "meta"},
          el("div", {textContent: `take ${t.take} · ${t.backend} ${t.version} · seed ${t.seed}` + paid(t)}),
          ...critique(t),
          el("div", {className: "prompt", textContent: t.prompt || ""})),
        t.selected ? el("div", {className: "meta muted chosen",
            textContent: t.selected_by ? `in the cut · chosen by the ${t.selected_by}` : "in the cut"})
          : el("button", {textContent: "Use this take", className: "primary",
              onclick: () => post(`/api/shots/${encodeURIComponent(id)}/select`, {take_id: t.id})}));
      card.dataset.take = t.id;
      return card;
    }));
    const animated = new Map();  // a take's clip once: the draft's and the full cut's are one clip
    for (const c of clips) {
      const key = `${c.take} ${c.backend} ${c.version}`, had = animated.get(key);
      if (!had || (c.cost && !had.cost)) animated.set(key, c);
    }
    const moving = el("div", {className: "clips muted"}, ...[...animated.values()].map(c =>
      el("div", {className: "clip", textContent: `clip of take ${c.take} · ${c.backend} ${c.version}` + paid(c)})));
    const prov = el("details", {}, el("summary", {textContent: "Provenance"}),
      el("pre", {textContent: JSON.stringify([...takes, ...clips].map(t => ({id: t.id, kind: t.kind, ...t.provenance})), null, 2)}));
    const failed = s.failed ? [el("p", {className: "muted", textContent: "Failed: " + s.failed})] : [];
    panel.replaceChildren(head, ...failed, grid, moving, sounds(id, heard.data || []), prov);
  }
  function paid(t) { return t.cost ? ` · ${t.cost}` : ""; }  // what a hosted backend charged
  function sounds(id, rows) {  // the shot's lines, effects and its scene's cues: each take heard, one chosen
    if (!rows.length) return el("div");
    const groups = new Map();
    for (const t of rows) {
      const label = t.kind === "voice" ? `line ${t.line} · ${t.character}: ${t.text}`
        : t.kind === "music" ? "music cue (the scene's)" : t.kind === "ambience" ? `ambience ${t.name} (the scene's)` : `effect ${t.name}`;
      if (!groups.has(label)) groups.set(label, []);
      groups.get(label).push(t);
    }
    return el("div", {className: "sounds"}, el("h3", {textContent: "Sound"}), ...[...groups].map(([label, takes]) =>
      el("div", {className: "sound-group"}, el("div", {className: "muted", textContent: label}), ...takes.map(t => {
        const seconds = t.seconds === null || t.seconds === undefined ? "" : ` · ${Number(t.seconds).toFixed(2)}s`;
        const row = el("div", {className: "sound" + (t.selected ? " selected" : "")},
          el("span", {textContent: `take ${t.take} · ${t.backend}${seconds}`}),
          el("audio", {controls: true, preload: "none", src: t.audio}),
          t.selected ? el("span", {className: "muted chosen", textContent: "in the mix"})
            : el("button", {textContent: "Use this take", className: "primary",
                onclick: () => post(`/api/shots/${encodeURIComponent(id)}/sound/select`, {take_id: t.id})}));
        row.dataset.take = t.id; row.dataset.kind = t.kind;
        return row;
      }))));
  }
  function critique(t) {  // the critic's score (0–10) and its reason, when it judged the take
    if (t.score === null || t.score === undefined) return [];
    return [el("div", {className: "critic"}, el("b", {className: "score", textContent: `${Number(t.score).toFixed(1)}/10`}),
      el("span", {className: "reason", textContent: " " + (t.reason || "")}))];
  }
  async function post(path, body) {
    const r = await api("POST", path, body);
    if (!r.ok) banner(r.data.detail || r.data.error || `refused (${r.status})`);
    else status("building…", "busy");
    return r;
  }

  // --- notes --------------------------------------------------------------------------------
  async function loadNotes() { state.notes = (await api("GET", "/api/notes")).data || []; renderNotes(); }
  function renderNotes() {
    const showResolved = $("show-resolved").checked;
    $("notes").replaceChildren(...state.notes.filter(n => showResolved || !n.resolved).map(n => {
      const where = el("span", {className: "where", textContent: n.shot_id || n.timecode});
      where.onclick = () => {
        const s = state.reel.shots.find(x => x.id === n.shot_id);
        video.currentTime = s ? s.start + 0.001 : secondsOf(n.timecode);
      };
      const box = el("input", {type: "checkbox", checked: !!n.resolved, title: "resolved"});
      box.onchange = () => post(`/api/notes/${n.id}/resolve`, {resolved: box.checked});
      const li = el("li", {className: n.resolved ? "resolved" : ""}, box, where,
        el("span", {className: "text", textContent: n.text}),
        el("span", {className: "who", textContent: `${n.author} · ${n.created.slice(0, 16).replace("T", " ")}`}));
      li.dataset.note = n.id;
      return li;
    }));
  }
  $("show-resolved").onchange = renderNotes;
  $("note-form").onsubmit = async e => {
    e.preventDefault();
    const text = $("note-text").value.trim();
    if (!text) return;
    const onShot = $("note-on").value === "shot";
    const shot = state.openShot || state.playingShot || state.cursorShot;
    const body = {text};
    if (onShot && shot) body.shot_id = shot; else body.timecode = timecode(video.currentTime || 0);
    const r = await api("POST", "/api/notes", body);
    if (r.ok) $("note-text").value = ""; else banner(r.data.detail || r.data.error || "note refused");
  };

  // --- revisions: the writer's proposals, accepted or refused hunk by hunk ----------------------
  const revisionsOpen = () => !$("revisions").hidden;
  async function loadRevisions() {
    const r = await api("GET", "/api/revisions");
    if (!r.ok) { log(r.data.error || `revisions refused (${r.status})`, true); return; }
    state.revisions = r.data; renderRevisions();
  }
  function renderRevisions() {
    const current = state.revisions.filter(p => p.current);
    $("revisions-count").textContent = current.length ? String(current.length) : "";
    state.revisedShots = new Set(current.flatMap(p => p.hunks.flatMap(h => h.shots)));
    markCards();
    $("revision-list").replaceChildren(...(state.revisions.length ? state.revisions.map(proposal)
      : [el("p", {className: "muted", textContent: "No proposals: `storyreel revise` saves the writer's here."})]));
  }
  function lineRows(text, kind, sign) {  // user text goes in as text, a line a row
    if (!text) return [];  // a scene's change that only adds lines, or only removes them
    return text.split(/\r?\n/).slice(0, text.endsWith("\n") ? -1 : undefined)
      .map(line => el("div", {className: kind, textContent: `${sign} ${line}`}));
  }
  function highlight(shots) {
    for (const c of $("strip").children) c.classList.toggle("hunk-shot", shots.includes(c.dataset.shot));
  }
  function proposal(p) {
    const box = el("article", {className: "proposal" + (p.current ? "" : " stale")});
    box.dataset.revision = p.name;
    const notes = el("ul", {className: "rnotes"}, ...p.notes.map(n => el("li", {},
      el("span", {className: "where", textContent: n.shot_id || n.timecode || "film"}),
      el("span", {className: "text", textContent: n.text}))));
    const hunks = p.hunks.map(h => {
      const check = el("input", {type: "checkbox", checked: p.current, disabled: !p.current,
        title: "accept this scene's change"});
      const shots = h.shots.map(id => el("a", {href: "#", className: "shot", textContent: id, onclick: e => {
        e.preventDefault(); const s = state.reel.shots.find(x => x.id === id);
        if (s) video.currentTime = s.start + 0.001; openShot(id);
      }}));
      const div = el("div", {className: "hunk"},
        el("label", {className: "hunk-head"}, check, el("span", {textContent: `${h.scene} · line ${h.line}`})),
        el("div", {className: "shots"}, ...shots),
        el("div", {className: "diff"}, ...lineRows(h.old, "del", "−"), ...lineRows(h.new, "add", "+")));
      div.dataset.hunk = h.number;
      div.onmouseenter = () => highlight(h.shots); div.onmouseleave = () => highlight([]);
      return div;
    });
    const apply = el("button", {className: "primary", textContent: "Apply accepted", disabled: !p.current,
      onclick: () => applyRevision(p, box)});
    const stale = p.current ? [] : [el("p", {className: "notice",
      textContent: `${p.script} has changed since this revision was proposed: run storyreel revise again`})];
    box.append(el("div", {className: "proposal-head"}, el("b", {textContent: p.created.slice(0, 16).replace("T", " ")}),
      el("span", {className: "muted", textContent: `${p.hunks.length} scene${p.hunks.length === 1 ? "" : "s"}`})),
      ...stale, notes, ...hunks, el("div", {className: "actions"}, apply));
    return box;
  }
  async function applyRevision(p, box) {
    const accept = [...box.querySelectorAll(".hunk")].filter(h => h.querySelector("input").checked)
      .map(h => Number(h.dataset.hunk));
    if (!accept.length) { status("no scene accepted: nothing applied"); return; }
    if (state.dirty) { banner("the script has unsaved edits: save or reload it, then apply a revision"); return; }
    const r = await api("POST", `/api/revisions/${encodeURIComponent(p.name)}/apply`, {accept});
    if (r.status === 409) { p.current = false; renderRevisions(); loadRevisions(); return; }
    if (!r.ok) { banner(r.data.error || `revision refused (${r.status})`); return; }
    log(`revision ${p.name}: accepted ${r.data.accepted.join(", ") || "none"}, refused ${r.data.refused.join(", ") || "none"}`);
    await diskChanged(null);  // the editor shows the revised script now, not at the watcher's next look
    loadRevisions();
  }
  $("revisions-toggle").onclick = () => {
    const open = !revisionsOpen();
    $("revisions").hidden = !open; $("revisions-toggle").classList.toggle("on", open);
    if (open) loadRevisions();
  };

  // --- the build, live ------------------------------------------------------------------------
  async function loadSpend() {  // what paid backends have charged, beside the budget
    const r = await api("GET", "/api/spend");
    if (!r.ok) return;
    const s = r.data, line = $("spend");
    line.hidden = !s.jobs && s.limit === null;
    line.textContent = `spent ${s.total} ${s.currency} on ${s.jobs} hosted job${s.jobs === 1 ? "" : "s"}` +
      (s.limit === null ? "" : ` · ${s.left} of ${s.limit} left`) +
      (s.unpriced ? ` · ${s.unpriced} unpriced` : "");
  }
  const stages = new Map();
  function stageRow(name) {
    if (!stages.has(name)) {
      const fill = el("i"); const count = el("span", {className: "muted"});
      const li = el("li", {}, el("span", {textContent: name}), el("span", {className: "bar-in"}, fill), count);
      $("stages").append(li); stages.set(name, {li, fill, count});
    }
    return stages.get(name);
  }
  function cardOf(shot) { return shot && $("strip").querySelector(`[data-shot="${CSS.escape(shot)}"]`); }
  function onEvent(m) {
    switch (m.event) {
      case "build_started": stages.clear(); $("stages").replaceChildren();
        status(m.draft ? "building draft…" : "rendering full size…", "busy"); break;
      case "stage_started": { const r = stageRow(m.stage); r.li.className = ""; r.fill.style.width = "0";
        r.count.textContent = m.total ?? ""; status(`${m.stage}…`, "busy"); break; }
      case "stage_progress": { const r = stageRow(m.stage);
        if (m.total) { r.fill.style.width = `${100 * m.done / m.total}%`; r.count.textContent = `${m.done}/${m.total}`; } break; }
      case "stage_finished": { const r = stageRow(m.stage); r.li.className = "done"; r.fill.style.width = "100%";
        r.count.textContent = `${m.seconds.toFixed(1)}s`; break; }
      case "computed": if (m.shot && m.stage !== "segments") { const c = cardOf(m.shot); if (c) c.classList.add("busy"); } break;
      case "failed": log(`${m.shot || ""} ${m.message}`, true); { const c = cardOf(m.shot); if (c && m.fatal) c.classList.add("failed"); } break;
      case "warning": log(m.message); break;
      case "repaired": log(m.message); break;
      case "waiting": status(m.message, "busy"); break;
      case "build_finished": { const r = m.report;
        if (!stages.size) for (const [name, sec] of Object.entries(r.stage_seconds)) {  // a build before this tab
          const row = stageRow(name); row.li.className = "done"; row.fill.style.width = "100%"; row.count.textContent = `${sec.toFixed(1)}s`;
        }
        const made = Object.values(r.computed).reduce((a, b) => a + b.length, 0);
        status(`built in ${r.seconds.toFixed(1)}s · ${made} made · ${r.frames} frames`); loadSpend();
        if (state.openShot) openShot(state.openShot);  // the takes a draft paints after its cut
        break; }
      case "build_failed": status(m.line ? `line ${m.line}: ${m.message}` : m.message, "bad");
        log(m.line ? `${m.path}:${m.line}: ${m.message}` : m.message, true); break;
      case "script_error": editor.setError(m.line, m.message); break;
      case "script_ok": editor.clearError(); break;
      case "script_changed": diskChanged(m.digest); loadRevisions(); break;  // a proposal may be out of date now
      case "revision": loadRevisions(); break;
      case "reel": showReel(m, m.version); break;
      case "note": { const i = state.notes.findIndex(n => n.id === m.note.id);
        if (i >= 0) state.notes[i] = m.note; else state.notes.push(m.note); renderNotes(); break; }
    }
  }

  // --- start --------------------------------------------------------------------------------
  $("save").onclick = () => save(false);
  window.addEventListener("keydown", e => {  // Ctrl+S away from the editor too
    if ((e.ctrlKey || e.metaKey) && e.key === "s" && !e.defaultPrevented) { e.preventDefault(); save(false); }
  });
  $("render-full").onclick = () => post("/api/render", {full: true});
  $("source").onchange = e => { state.source = e.target.value; loadVideo(); };

  async function start() {
    const [vocab, script, reel] = await Promise.all([api("GET", "/api/vocabulary"), api("GET", "/api/script"),
      api("GET", "/api/reel")]);
    if (script.status === 401) { status("this studio needs its token: open the URL it printed", "bad"); return; }
    $("script-name").textContent = script.data.name;
    state.digest = script.data.digest;
    editor = StoryreelEditor.create($("editor"), {doc: script.data.text, vocabulary: vocab.data,
      onChange: () => setDirty(true), onCursor, onSave: () => save(false)});
    state.editor = editor;
    if (script.data.error) editor.setError(script.data.error.line, script.data.error.message);
    if (reel.data.version) showReel(reel.data, reel.data.version);
    else loadVideo();  // the last draft on disk, if any, while the first build runs
    await Promise.all([loadNotes(), loadRevisions(), loadSpend()]);
    const source = new EventSource("/api/events");
    source.onmessage = e => onEvent(JSON.parse(e.data));
    source.onopen = () => { if ($("status").textContent === "connecting…") status("ready"); };
    source.onerror = () => status("reconnecting…", "bad");
    editor.focus();
  }
  start();
})();
