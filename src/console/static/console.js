// The console's only script: live refresh over SSE, decisions posted as JSON, the review player.
const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

// ---- live: one event stream per tab; the server runs one reader per episode for all tabs ----
function startLive() {
  const url = document.body.dataset.events;
  if (!url) return;
  const badge = $('#live-state');
  const source = new EventSource(url);
  source.addEventListener('open', () => badge && (badge.textContent = 'live', badge.className = 'live on'));
  source.addEventListener('error', () => badge && (badge.textContent = 'reconnecting…', badge.className = 'live off'));
  source.addEventListener('change', (event) => {
    if (Number(event.data) > Number(document.body.dataset.version)) refreshLive(Number(event.data));
  });
}

let refreshing = Promise.resolve();
function refreshLive(version) {
  refreshing = refreshing.then(async () => {
    if (version <= Number(document.body.dataset.version)) return;
    const response = await fetch(location.href, { credentials: 'same-origin' });
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
    for (const next of $$('[data-live][id]', fresh)) {
      const current = document.getElementById(next.id);
      // A part about one take is only redrawn from a page about the same take: the controls never
      // change to another take's under the video the person is watching.
      if (!current || current.outerHTML === next.outerHTML || subjectOf(current) !== subjectOf(next)) continue;
      keepWhatThePersonIsUsing(current, next);
      current.replaceWith(document.adoptNode(next));
    }
    document.body.dataset.version = fresh.body.dataset.version || String(version);
    document.dispatchEvent(new CustomEvent('console:refreshed'));
  }).catch(() => {});
}

/**
 * When part of the page is redrawn, a video already loaded stays as it is, and so does a form the
 * person is typing in (or has typed in): their work is never lost to an update.
 */
function keepWhatThePersonIsUsing(current, next) {
  for (const video of $$('video[id]', next)) {
    const old = current.querySelector(`#${CSS.escape(video.id)}`);
    if (old && old.getAttribute('src') === video.getAttribute('src')) video.replaceWith(old);
  }
  for (const form of $$('form[id]', next)) {
    const old = current.querySelector(`#${CSS.escape(form.id)}`);
    if (old && isInUse(old)) form.replaceWith(old);
  }
  // An answer stays where the person saw it, even when its panel was redrawn or gone a while (a
  // decided take's panel is drawn again disabled; a cut-off take's question is withdrawn while the
  // worker tries the adoption, and asked again if it is refused).
  for (const slot of $$('[data-outcome][id]', next)) {
    const old = current.querySelector(`#${CSS.escape(slot.id)}`);
    if (old && old.textContent && subjectOf(old) === subjectOf(slot)) slot.replaceWith(old);
    else if (slot.closest('.settle') && lastOutcomes.has(slot.id)) paintOutcome(slot, lastOutcomes.get(slot.id));
  }
}

/** The take a part of the page is about (Dailies shows one at a time), so an answer stays with its take. */
function subjectOf(element) {
  const review = element.closest('[data-take]');
  return review ? `${review.dataset.sequence}/${review.dataset.take}` : '';
}

function isInUse(form) {
  if (form.dataset.decided) return false;
  return form.contains(document.activeElement) || [...form.elements].some((field) => 'defaultValue' in field && field.value !== field.defaultValue);
}

// ---- decisions ----
async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  try {
    return await response.json();
  } catch {
    return { kind: 'refused', reason: `${response.status} ${await response.text().catch(() => '')}` };
  }
}

/** The last outcome shown in each slot, so a slot drawn again later still shows it. */
const lastOutcomes = new Map();

function showOutcome(targetId, outcome) {
  lastOutcomes.set(targetId, outcome);
  const slot = document.getElementById(targetId);
  if (slot) paintOutcome(slot, outcome);
}

function paintOutcome(slot, outcome) {
  slot.className = `outcome ${outcome.kind}`;
  slot.textContent =
    outcome.kind === 'sending' ? 'sending…' : outcome.kind === 'refused' ? `refused: ${outcome.reason}` : outcome.kind === 'recorded' ? `recorded: ${outcome.message}` : `accepted: ${outcome.detail}`;
}

function formBody(form) {
  const body = {};
  const shots = {};
  for (const [name, value] of new FormData(form)) {
    const shot = /^shot-(\d+)$/.exec(name);
    if (name === 'drawing') {
      if (value) body.drawing = JSON.parse(value);
    } else if (!shot) body[name] = value;
    else if (value.trim() !== (form.elements[name].dataset.original ?? '').trim()) shots[shot[1]] = value;
  }
  if (Object.keys(shots).length > 0) body.shots = shots;
  return body;
}

async function submitDecision(form) {
  const button = $('button[type=submit]', form);
  if (button) button.disabled = true;
  const notes = noteTakers.get(form);
  notes?.fill();
  showOutcome(form.dataset.outcomeTarget, { kind: 'sending' });
  try {
    const outcome = await post(form.dataset.action, formBody(form));
    showOutcome(form.dataset.outcomeTarget, outcome);
    // Accepted: what the person typed is sent, so the page may now show the take as decided (a
    // note form stays open for the next note).
    if (outcome.kind === 'accepted') {
      if (notes) notes.reset();
      else form.dataset.decided = 'true';
      refreshLive(Number(document.body.dataset.version) + 1);
    }
  } finally {
    if (button) button.disabled = false;
  }
}

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (form.matches('form[data-action]')) {
    event.preventDefault();
    submitDecision(form);
  } else if (form.matches('form[data-whoami]')) {
    event.preventDefault();
    saveName(form);
  }
});

document.addEventListener('click', async (event) => {
  const pick = event.target.closest('[data-pick]');
  if (pick && !pick.disabled) {
    const choice = pick.dataset.previous ? { previous: 'true' } : { grid: pick.dataset.grid, quadrant: pick.dataset.quadrant };
    showOutcome(pick.dataset.outcomeTarget, await post(pick.dataset.action, { kind: 'selectFrame', ...choice }));
  }
  const seek = event.target.closest('[data-seek]');
  if (seek && activePlayer) activePlayer.seekTo(Number(seek.dataset.seek));
  const note = event.target.closest('[data-note-frame]');
  if (note) showNote(note);
});

/** A note in the list: its frame, paused, with its drawing over the picture and its range on the timeline. */
function showNote(item) {
  const player = playersById.get(item.dataset.player);
  if (!player) return;
  makeActive(player);
  const frame = Number(item.dataset.noteFrame);
  const end = item.dataset.noteEnd === '' ? undefined : Number(item.dataset.noteEnd);
  player.pause();
  player.seekFrame(frame);
  player.showNote({ frame, strokes: JSON.parse(item.dataset.noteDrawing || '[]') });
  player.showRange(frame, end);
  $$('.note-item.on').forEach((other) => other.classList.remove('on'));
  item.classList.add('on');
}

async function saveName(form) {
  const input = form.elements.name;
  const outcome = await post('/whoami', { name: input.value });
  input.classList.toggle('saved', outcome.kind === 'accepted');
  input.title = outcome.kind === 'accepted' ? `decisions are recorded as ${outcome.name}` : outcome.reason;
}
document.addEventListener('change', (event) => {
  if (event.target.matches('form[data-whoami] input')) saveName(event.target.form);
});

// ---- the review player ----
class ReviewPlayer {
  constructor(root) {
    this.root = root;
    this.video = $('video', root);
    this.fps = Number(root.dataset.fps) || 24;
    this.duration = Number(root.dataset.duration) || 0;
    this.reverse = undefined;
    this.overlay = $('[data-overlay]', root);
    /** A saved note being shown: its drawing stays while the player is on its frame. */
    this.shownNote = undefined;
    /** Strokes of a note being written, drawn over whatever frame the note is pinned to. */
    this.draft = [];
    this.layoutTimeline();
    this.wireControls();
    this.watchFrames();
  }

  get frame() {
    return Math.floor(this.video.currentTime * this.fps + 1e-6);
  }

  length() {
    return Number.isFinite(this.video.duration) && this.video.duration > 0 ? this.video.duration : this.duration;
  }

  layoutTimeline() {
    const total = this.length() || 1;
    // Inline style attributes are refused by the CSP; styles set from this script are not.
    const share = (sec) => Math.min(1, Math.max(0, Number(sec) / total)) * 100;
    for (const mark of $$('[data-start]', this.root)) {
      mark.style.left = `${share(mark.dataset.start)}%`;
      mark.style.width = `${share(mark.dataset.end) - share(mark.dataset.start)}%`;
    }
    const timeline = $('[data-timeline]', this.root);
    timeline.addEventListener('click', (event) => {
      const box = timeline.getBoundingClientRect();
      this.seekTo(((event.clientX - box.left) / box.width) * this.length());
    });
  }

  wireControls() {
    for (const button of $$('[data-cmd]', this.root)) button.addEventListener('click', () => this.command(button.dataset.cmd));
    this.video.addEventListener('loadedmetadata', () => this.layoutTimeline());
    for (const name of ['play', 'pause', 'ratechange', 'seeked', 'timeupdate']) this.video.addEventListener(name, () => this.show());
    this.video.addEventListener('loadedmetadata', () => this.drawOverlay());
    this.root.addEventListener('pointerdown', () => makeActive(this));
    new ResizeObserver(() => this.drawOverlay()).observe(this.video);
  }

  showNote(note) {
    this.shownNote = note;
    this.drawOverlay();
  }

  setDraft(strokes) {
    this.draft = strokes;
    this.drawOverlay();
  }

  /** The timeline's mark of an in/out range (hidden without one). */
  showRange(from, to) {
    const range = $('[data-range]', this.root);
    if (!range) return;
    range.hidden = from === undefined;
    if (from === undefined) return;
    const total = this.length() || 1;
    const last = to ?? from;
    range.style.left = `${((Math.min(from, last) / this.fps) / total) * 100}%`;
    range.style.width = `${Math.max(0.3, ((Math.abs(last - from) + 1) / this.fps / total) * 100)}%`;
  }

  /** Where the picture is inside the video element (it keeps its aspect ratio, letterboxed). */
  pictureBox() {
    const { clientWidth: w, clientHeight: h, videoWidth: vw, videoHeight: vh } = this.video;
    if (!vw || !vh || !w || !h) return { left: 0, top: 0, width: w, height: h };
    const scale = Math.min(w / vw, h / vh);
    const width = vw * scale;
    const height = vh * scale;
    return { left: this.video.offsetLeft + (w - width) / 2, top: this.video.offsetTop + (h - height) / 2, width, height };
  }

  drawOverlay() {
    if (!this.overlay) return;
    const box = this.pictureBox();
    Object.assign(this.overlay.style, { left: `${box.left}px`, top: `${box.top}px`, width: `${box.width}px`, height: `${box.height}px` });
    this.overlay.setAttribute('viewBox', `0 0 ${box.width} ${box.height}`);
    const strokes = [...(this.shownNote?.strokes ?? []), ...this.draft];
    this.overlay.replaceChildren(...strokes.flatMap((stroke) => strokeShapes(stroke, box.width, box.height)));
  }

  watchFrames() {
    const tick = () => {
      this.show();
      this.video.requestVideoFrameCallback(tick);
    };
    if ('requestVideoFrameCallback' in this.video) this.video.requestVideoFrameCallback(tick);
  }

  command(cmd) {
    if (cmd === 'toggle') {
      if (this.video.paused) this.play(1);
      else this.pause();
    }
    if (cmd === 'back') this.step(-1);
    if (cmd === 'forward') this.step(1);
    if (cmd === 'loop') this.toggleLoop();
  }

  play(rate) {
    this.stopReverse();
    this.video.playbackRate = rate;
    return this.video.play().catch(() => {});
  }

  pause() {
    this.stopReverse();
    this.video.pause();
  }

  /** L: forward, faster on each press (1×, 2×, 4×). */
  shuttleForward() {
    const next = this.video.paused || this.reverse ? 1 : Math.min(this.video.playbackRate * 2, 4);
    this.play(next);
  }

  /** J: backwards, by stepping frames (browsers do not play video in reverse). */
  shuttleBack() {
    const speed = this.reverse ? Math.min(this.reverse.speed * 2, 4) : 1;
    this.pause();
    const timer = setInterval(() => {
      if (this.video.currentTime <= 0) return this.stopReverse();
      this.video.currentTime = Math.max(0, this.video.currentTime - speed / this.fps);
    }, 1000 / this.fps);
    this.reverse = { timer, speed };
    this.show();
  }

  stopReverse() {
    if (!this.reverse) return;
    clearInterval(this.reverse.timer);
    this.reverse = undefined;
  }

  /** Lands in the middle of a frame so rounding never shows the neighbour. */
  seekFrame(n) {
    const last = Math.max(0, Math.floor(this.length() * this.fps) - 1);
    const frame = Math.min(Math.max(0, n), last);
    this.video.currentTime = (frame + 0.5) / this.fps;
  }

  step(delta) {
    this.pause();
    this.seekFrame(this.frame + delta);
  }

  seekTo(seconds) {
    this.seekFrame(Math.floor(seconds * this.fps));
  }

  toggleLoop() {
    this.video.loop = !this.video.loop;
    $('[data-cmd=loop]', this.root)?.setAttribute('aria-pressed', String(this.video.loop));
  }

  show() {
    const frame = this.frame;
    const fps = Math.round(this.fps);
    const seconds = Math.floor(frame / fps);
    const pad = (n) => String(n).padStart(2, '0');
    const tc = `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}:${pad(frame % fps)}`;
    $('[data-timecode]', this.root).textContent = tc;
    $('[data-frame]', this.root).textContent = String(frame);
    this.root.dataset.frame = String(frame);
    // A saved note's drawing belongs to its frame: it goes when the picture moves on.
    if (this.shownNote && (frame !== this.shownNote.frame || !this.video.paused)) {
      this.shownNote = undefined;
      this.drawOverlay();
      $$('.note-item.on').forEach((item) => item.classList.remove('on'));
    }
    document.dispatchEvent(new CustomEvent('console:frame', { detail: this }));
    $('[data-rate]', this.root).textContent = this.reverse ? `◀ ${this.reverse.speed}×` : `${this.video.paused ? '' : '▶ '}${this.video.playbackRate}×`;
    $('[data-cmd=toggle]', this.root).textContent = this.video.paused && !this.reverse ? 'play' : 'pause';
    const head = $('[data-playhead]', this.root);
    if (head) head.style.left = `${(this.video.currentTime / (this.length() || 1)) * 100}%`;
  }
}

/**
 * Compare: the left take (A) leads; the right one (B) follows it within half a frame, muted, shifted
 * by `offset()` frames. While playing, the follower's speed is nudged toward its target on every
 * frame (seeking every frame would stall its decoder); a large gap, a seek, a step or a pause is
 * closed with a seek.
 */
function syncCompare(lead, follow, offset) {
  const halfFrame = 0.5 / lead.fps;
  const target = () => Math.max(0, lead.video.currentTime + offset() / lead.fps);
  const seekToLead = () => {
    if (Math.abs(follow.video.currentTime - target()) > halfFrame / 2) follow.video.currentTime = target();
  };
  lead.video.addEventListener('play', () => follow.video.play().catch(() => {}));
  lead.video.addEventListener('pause', () => {
    follow.video.pause();
    follow.video.playbackRate = lead.video.playbackRate;
    follow.video.currentTime = target();
  });
  lead.video.addEventListener('seeked', seekToLead);
  const onLeadFrame = () => {
    const rate = lead.video.playbackRate;
    const ahead = follow.video.currentTime - target();
    if (lead.video.paused || Math.abs(ahead) > 0.25) seekToLead();
    else if (Math.abs(ahead) > halfFrame / 4) follow.video.playbackRate = rate * (1 - Math.max(-0.3, Math.min(0.3, ahead * 4)));
    else follow.video.playbackRate = rate;
    lead.video.requestVideoFrameCallback(onLeadFrame);
  };
  lead.video.requestVideoFrameCallback(onLeadFrame);
  return seekToLead;
}

/**
 * How Compare shows its two takes, kept in the URL: side by side, a wipe (B over A right of a split
 * line dragged across the picture) or A/B toggled on one picture. In the last two B's video is laid
 * over A's, both decoding all the time, so switching never shows a black frame.
 */
class CompareView {
  constructor(root, lead, follow) {
    this.root = root;
    this.lead = lead;
    this.follow = follow;
    this.home = follow.video.parentElement;
    this.handle = document.createElement('div');
    this.handle.className = 'wipe-handle';
    this.handle.title = 'drag to move the split';
    for (const side of ['A', 'B']) {
      const label = document.createElement('span');
      label.textContent = side;
      this.handle.append(label);
    }
    const params = new URLSearchParams(location.search);
    this.view = ['side', 'wipe', 'toggle'].includes(params.get('view')) ? params.get('view') : 'side';
    this.split = clamp01(Number(params.get('split') ?? 0.5));
    this.offset = Math.round(Number(params.get('offset')) || 0);
    this.showingB = false;
    this.resync = syncCompare(lead, follow, () => this.offset);
    const frame = Number(params.get('frame'));
    if (frame > 0) whenLoaded(lead.video, () => lead.seekFrame(frame));
    this.wire();
    this.apply();
  }

  wire() {
    const tools = $('[data-compare-tools]');
    for (const button of $$('[data-view]', tools)) button.addEventListener('click', () => this.show(button.dataset.view));
    for (const button of $$('[data-offset-step]', tools)) button.addEventListener('click', () => this.shift(Number(button.dataset.offsetStep)));
    $('[data-offset]', tools).addEventListener('change', (event) => this.setOffset(Math.round(Number(event.target.value) || 0)));
    this.handle.addEventListener('pointerdown', (event) => {
      this.handle.setPointerCapture(event.pointerId);
      const move = (e) => {
        const box = this.lead.video.getBoundingClientRect();
        const picture = this.lead.pictureBox();
        this.split = clamp01((e.clientX - box.left - (picture.left - this.lead.video.offsetLeft)) / picture.width);
        this.apply();
      };
      const stop = () => {
        this.handle.removeEventListener('pointermove', move);
        this.remember();
      };
      this.handle.addEventListener('pointermove', move);
      this.handle.addEventListener('pointerup', stop, { once: true });
      move(event);
    });
    new ResizeObserver(() => this.apply()).observe(this.lead.video);
    this.lead.video.addEventListener('pause', () => this.remember());
    this.lead.video.addEventListener('seeked', () => this.lead.video.paused && this.remember());
  }

  show(view) {
    this.view = view;
    this.apply();
    this.remember();
  }

  /** T: A/B; again, the other take. */
  toggle() {
    if (this.view !== 'toggle') this.show('toggle');
    else {
      this.showingB = !this.showingB;
      this.apply();
    }
  }

  shift(frames) {
    this.setOffset(this.offset + frames);
  }

  setOffset(frames) {
    this.offset = frames;
    this.resync();
    this.apply();
    this.remember();
  }

  apply() {
    const stacked = this.view !== 'side';
    this.root.dataset.view = this.view;
    const picture = this.lead.video.parentElement;
    // Moved within one task, a playing video keeps playing and keeps its decoded frames.
    if (stacked && this.follow.video.parentElement !== picture) picture.insertBefore(this.follow.video, this.lead.overlay);
    if (!stacked && this.follow.video.parentElement !== this.home) this.home.prepend(this.follow.video);
    this.follow.video.classList.toggle('stacked', stacked);
    if (stacked) {
      const box = this.lead.pictureBox();
      Object.assign(this.follow.video.style, { left: `${this.lead.video.offsetLeft}px`, top: `${this.lead.video.offsetTop}px`, width: `${this.lead.video.clientWidth}px`, height: `${this.lead.video.clientHeight}px` });
      const cut = box.left - this.lead.video.offsetLeft + this.split * box.width;
      this.follow.video.style.clipPath = this.view === 'wipe' ? `inset(0 0 0 ${cut}px)` : 'none';
      this.follow.video.style.visibility = this.view === 'toggle' && !this.showingB ? 'hidden' : 'visible';
      if (this.view === 'wipe') {
        if (this.handle.parentElement !== picture) picture.append(this.handle);
        Object.assign(this.handle.style, { left: `${box.left + this.split * box.width}px`, top: `${box.top}px`, height: `${box.height}px` });
      } else this.handle.remove();
    } else {
      this.follow.video.removeAttribute('style');
      this.handle.remove();
    }
    for (const button of $$('[data-view]')) button.setAttribute('aria-pressed', String(button.dataset.view === this.view));
    $('[data-offset]').value = String(this.offset);
    const showing = $('[data-showing]');
    showing.textContent = this.view === 'toggle' ? `showing ${this.showingB ? 'B' : 'A'}` : this.view === 'wipe' ? 'A | B' : '';
    showing.dataset.side = this.view === 'toggle' && this.showingB ? 'B' : 'A';
  }

  /** The compare state in the URL, so a link (or a reload) shows the same comparison on the same frame. */
  remember() {
    const params = new URLSearchParams(location.search);
    params.set('view', this.view);
    params.set('split', this.split.toFixed(3));
    params.set('offset', String(this.offset));
    params.set('frame', String(this.lead.frame));
    history.replaceState(null, '', `${location.pathname}?${params}`);
    const form = $('form.pick-takes');
    if (form) for (const name of ['view', 'split', 'offset']) form.elements[name].value = params.get(name);
  }
}

function clamp01(n) {
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0.5;
}

function whenLoaded(video, then) {
  if (video.readyState >= 1) then();
  else video.addEventListener('loadedmetadata', then, { once: true });
}

function swapSound(lead, follow) {
  const leadHasSound = !lead.video.muted;
  lead.video.muted = leadHasSound;
  follow.video.muted = !leadHasSound;
  $$('[data-sound]').forEach((label, i) => (label.textContent = (i === 0) === !leadHasSound ? 'sound' : 'muted'));
}

let activePlayer;
const playersById = new Map();

/** Keys act on the player last clicked (Compare has two). */
function makeActive(player) {
  activePlayer = player;
}

function startPlayers() {
  const players = $$('.player').map((root) => new ReviewPlayer(root));
  for (const player of players) playersById.set(player.root.id, player);
  activePlayer = players[0];
  for (const form of $$('form[data-note-form]')) {
    const player = playersById.get(form.dataset.player);
    if (player) noteTakers.set(form, new NoteTaker(form, player));
  }
  const [lead, follow] = players;
  const compare = $('[data-compare]');
  let view;
  if (compare && lead && follow) {
    view = new CompareView(compare, lead, follow);
    window.consoleCompare = { lead: lead.video, follow: follow.video, view };
  }
  return { lead, follow, view };
}

// ---- the episode back to back ----

/**
 * Plays the episode's takes one after another from the page's playlist, naming the sequence at
 * each cut; the next take is preloaded so the cut does not wait on the network.
 */
class EpisodePlayer {
  constructor(root) {
    this.root = root;
    this.items = JSON.parse(root.dataset.playlist);
    this.video = $('#episode-video', root);
    this.caption = $('#cut-caption', root);
    this.index = 0;
    this.preload = document.createElement('video');
    this.preload.preload = 'auto';
    this.preload.muted = true;
    this.video.addEventListener('ended', () => this.next());
    for (const item of $$('.episode-list li', root)) item.addEventListener('click', () => this.show(Number(item.dataset.index), true));
    this.show(0, false);
  }

  next() {
    if (this.index + 1 < this.items.length) this.show(this.index + 1, true);
  }

  show(index, play) {
    const item = this.items[index];
    this.index = index;
    this.root.dataset.index = String(index);
    if (!this.video.src.endsWith(item.src)) this.video.src = item.src;
    this.caption.textContent = `${item.sequenceId} · t${String(item.take).padStart(3, '0')}${item.title ? ` · ${item.title}` : ''}`;
    this.caption.classList.remove('flash');
    void this.caption.offsetWidth; // restart the fade at every cut
    this.caption.classList.add('flash');
    for (const li of $$('.episode-list li', this.root)) li.classList.toggle('on', Number(li.dataset.index) === index);
    const following = this.items[index + 1];
    if (following) this.preload.src = following.src;
    if (play) void this.video.play().catch(() => {});
  }

  toggle() {
    if (this.video.paused) void this.video.play().catch(() => {});
    else this.video.pause();
  }
}

function startEpisodePlayer() {
  const root = $('#episode-player[data-playlist]');
  if (!root || !$('#episode-video', root)) return undefined;
  const player = new EpisodePlayer(root);
  window.consoleEpisode = player;
  return player;
}

// ---- notes on a frame or a range, with drawings ----
const SVG = 'http://www.w3.org/2000/svg';

/** A stroke as SVG shapes in a picture of width×height pixels; points are 0–1 of the picture. */
function strokeShapes(stroke, width, height) {
  const colour = $(`.draw-tools [data-colour="${stroke.colour}"]`)?.dataset.hex ?? '#ff3b30';
  const px = ([x, y]) => [x * width, y * height];
  const shape = (name, attrs) => {
    const element = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries({ fill: 'none', stroke: colour, 'stroke-width': Math.max(2, width / 180), 'stroke-linecap': 'round', 'stroke-linejoin': 'round', ...attrs })) element.setAttribute(key, String(value));
    return element;
  };
  const points = stroke.points.map(px);
  const [first, last] = [points[0], points.at(-1)];
  if (stroke.tool === 'rect') {
    return [shape('rect', { x: Math.min(first[0], last[0]), y: Math.min(first[1], last[1]), width: Math.abs(last[0] - first[0]), height: Math.abs(last[1] - first[1]) })];
  }
  if (stroke.tool === 'arrow') {
    const angle = Math.atan2(last[1] - first[1], last[0] - first[0]);
    const size = Math.max(2, width / 180) * 6;
    const barb = (turn) => `${last[0] - size * Math.cos(angle + turn)},${last[1] - size * Math.sin(angle + turn)}`;
    return [shape('polyline', { points: `${first} ${last}` }), shape('polyline', { points: `${barb(Math.PI / 6)} ${last} ${barb(-Math.PI / 6)}` })];
  }
  return [shape('polyline', { points: points.map(String).join(' ') })];
}

const noteTakers = new Map();

/**
 * Writing a note: N (or the text box) pins it to the paused frame, I and O mark a range instead,
 * and a drawing tool draws over the picture. Everything is kept as frames and 0–1 coordinates.
 */
class NoteTaker {
  constructor(form, player) {
    this.form = form;
    this.player = player;
    this.strokes = [];
    this.tool = undefined;
    this.reset();
    for (const button of $$('[data-tool]', form)) button.addEventListener('click', () => this.useTool(button.dataset.tool));
    for (const button of $$('button[data-colour]', form)) button.addEventListener('click', () => this.useColour(button.dataset.colour));
    for (const button of $$('[data-note-cmd]', form)) button.addEventListener('click', () => this.command(button.dataset.noteCmd));
    form.elements.text.addEventListener('focus', () => this.pin());
    document.addEventListener('console:frame', (event) => event.detail === player && this.describe());
    this.wireDrawing();
  }

  reset() {
    this.pinned = undefined;
    this.in = undefined;
    this.out = undefined;
    this.strokes = [];
    this.useTool(undefined);
    this.form.elements.text.value = '';
    this.player.setDraft([]);
    this.player.showRange(undefined);
    this.describe();
  }

  command(cmd) {
    if (cmd === 'in') this.markIn();
    if (cmd === 'out') this.markOut();
    if (cmd === 'clear-range') {
      this.in = this.out = undefined;
      this.player.showRange(undefined);
      this.describe();
    }
    if (cmd === 'undo') {
      this.strokes.pop();
      this.player.setDraft(this.strokes);
    }
  }

  /** N: the note is about this frame; the player stops on it. */
  begin() {
    this.pin();
    this.form.elements.text.focus();
  }

  pin() {
    if (this.pinned !== undefined) return;
    this.player.pause();
    this.pinned = this.player.frame;
    this.describe();
  }

  markIn() {
    this.player.pause();
    this.in = this.player.frame;
    if (this.out !== undefined && this.out < this.in) this.out = undefined;
    this.showRange();
  }

  markOut() {
    this.player.pause();
    this.out = this.player.frame;
    if (this.in !== undefined && this.in > this.out) this.in = undefined;
    this.showRange();
  }

  showRange() {
    this.player.showRange(this.in ?? this.out, this.out ?? this.in);
    this.describe();
  }

  /** The frames the note will be pinned to: the range when one is marked, else the pinned (or current) frame. */
  where() {
    if (this.in !== undefined || this.out !== undefined) {
      const from = this.in ?? this.out;
      const to = this.out ?? this.in;
      return { frame: Math.min(from, to), endFrame: Math.max(from, to) };
    }
    return { frame: this.pinned ?? this.player.frame };
  }

  describe() {
    const { frame, endFrame } = this.where();
    const label = $('[data-note-where]', this.form);
    if (label) label.textContent = endFrame !== undefined && endFrame !== frame ? `frames ${frame}–${endFrame}` : `frame ${frame}${this.pinned === undefined && this.in === undefined ? ' (where it pauses)' : ''}`;
  }

  useTool(tool) {
    this.tool = this.tool === tool ? undefined : tool;
    for (const button of $$('[data-tool]', this.form)) button.setAttribute('aria-pressed', String(button.dataset.tool === this.tool));
    this.player.overlay?.classList.toggle('drawing', Boolean(this.tool));
  }

  useColour(colour) {
    this.form.elements.colour.value = colour;
    for (const button of $$('button[data-colour]', this.form)) button.setAttribute('aria-pressed', String(button.dataset.colour === colour));
  }

  wireDrawing() {
    const overlay = this.player.overlay;
    if (!overlay) return;
    const at = (event) => {
      const box = overlay.getBoundingClientRect();
      const clamp = (n) => Math.min(1, Math.max(0, Number(n.toFixed(4))));
      return [clamp((event.clientX - box.left) / box.width), clamp((event.clientY - box.top) / box.height)];
    };
    let stroke;
    overlay.addEventListener('pointerdown', (event) => {
      if (!this.tool) return;
      this.pin();
      overlay.setPointerCapture(event.pointerId);
      stroke = { tool: this.tool, colour: this.form.elements.colour.value, points: [at(event), at(event)] };
      this.strokes.push(stroke);
      this.player.setDraft(this.strokes);
    });
    overlay.addEventListener('pointermove', (event) => {
      if (!stroke) return;
      if (stroke.tool === 'pen') stroke.points.push(at(event));
      else stroke.points[1] = at(event);
      if (stroke.points.length > 400) stroke.points.splice(1, 1);
      this.player.setDraft(this.strokes);
    });
    const finish = () => {
      if (stroke && stroke.points.length === 2 && stroke.points[0].join() === stroke.points[1].join()) this.strokes.pop();
      stroke = undefined;
      this.player.setDraft(this.strokes);
    };
    overlay.addEventListener('pointerup', finish);
    overlay.addEventListener('pointercancel', finish);
  }

  /** Puts where and what was drawn into the form before it is sent. */
  fill() {
    const { frame, endFrame } = this.where();
    this.form.elements.frame.value = String(frame);
    this.form.elements.endFrame.value = endFrame === undefined || endFrame === frame ? '' : String(endFrame);
    this.form.elements.drawing.value = this.strokes.length ? JSON.stringify(this.strokes) : '';
  }
}

/** The note form of the player in use (Compare has one per side). */
function activeNoteTaker() {
  for (const [form, taker] of noteTakers) if (taker.player === activePlayer && !form.closest('fieldset:disabled')) return taker;
  return [...noteTakers.values()][0];
}

// ---- keys ----
const KEYS = [
  ['Space / K', 'play · pause'],
  ['J / L', 'shuttle back / forward (again: faster)'],
  ['← →', 'one frame back / forward'],
  ['Shift ← →', 'one second back / forward'],
  ['Home / End', 'first / last frame'],
  ['N', 'write a note on this frame (Ctrl+Enter adds it)'],
  ['I / O', 'mark in / out: the note covers the range'],
  ['P', 'loop'],
  ['A', 'approve this take'],
  ['R', 'write a retake note (Ctrl+Enter sends)'],
  ['1 – 4', 'pick a start frame'],
  ['M', 'compare: swap which side has sound'],
  ['W / T', 'compare: wipe / A-B toggle (T again: the other take)'],
  ['[ ]', 'compare: B one frame earlier / later'],
  ['?', 'show these keys'],
];

function onKey(event, players) {
  const typing = event.target.closest('input, textarea, select');
  if (typing) {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && event.target.form?.matches('[data-action]')) {
      event.preventDefault();
      submitDecision(event.target.form);
    }
    if (event.key === 'Escape') event.target.blur();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  // In Compare the transport keys drive A, which B follows; a click picks the side notes go on.
  const player = players.view ? players.lead : activePlayer;
  const handled = handleKey(event, player, players);
  if (handled) event.preventDefault();
}

function handleKey(event, player, players) {
  const key = event.key;
  if (/^[1-5]$/.test(key)) {
    const button = key === '5' ? $('.previous-frame.pickable [data-previous]') : $(`.grid-block.pickable [data-quadrant="${key}"]`);
    button?.click();
    return Boolean(button);
  }
  if (key === 'a' || key === 'A') {
    const form = $('form.approve[data-action]');
    if (form) submitDecision(form);
    return Boolean(form);
  }
  if (key === 'r' || key === 'R') {
    const note = $('form.retake textarea[name=note]');
    note?.focus();
    return Boolean(note);
  }
  if (key === '?') {
    toggleKeys();
    return true;
  }
  const notes = activeNoteTaker();
  if (notes && (key === 'n' || key === 'N')) {
    notes.begin();
    return true;
  }
  if (notes && (key === 'i' || key === 'I')) {
    notes.markIn();
    return true;
  }
  if (notes && (key === 'o' || key === 'O')) {
    notes.markOut();
    return true;
  }
  if ((key === 'm' || key === 'M') && players.follow && $('[data-compare]')) {
    swapSound(players.lead, players.follow);
    return true;
  }
  if (players.view && (key === 'w' || key === 'W')) {
    players.view.show(players.view.view === 'wipe' ? 'side' : 'wipe');
    return true;
  }
  if (players.view && (key === 't' || key === 'T')) {
    players.view.toggle();
    return true;
  }
  if (players.view && (key === '[' || key === ']')) {
    players.view.shift(key === '[' ? -1 : 1);
    return true;
  }
  if (!player) return false;
  const v = player.video;
  switch (key) {
    case ' ':
    case 'k':
    case 'K':
      if (key === ' ' && !v.paused) player.pause();
      else if (key === ' ') player.play(1);
      else player.pause();
      return true;
    case 'l':
    case 'L':
      player.shuttleForward();
      return true;
    case 'j':
    case 'J':
      player.shuttleBack();
      return true;
    case 'ArrowLeft':
    case ',':
      if (event.shiftKey) player.seekTo(Math.max(0, v.currentTime - 1));
      else player.step(-1);
      return true;
    case 'ArrowRight':
    case '.':
      if (event.shiftKey) player.seekTo(v.currentTime + 1);
      else player.step(1);
      return true;
    case 'Home':
      player.seekFrame(0);
      return true;
    case 'End':
      player.seekFrame(Number.MAX_SAFE_INTEGER);
      return true;
    case 'p':
    case 'P':
      player.toggleLoop();
      return true;
    default:
      return false;
  }
}

function toggleKeys() {
  const box = $('#keys');
  if (!box.hasChildNodes()) {
    const list = document.createElement('dl');
    for (const [keys, what] of KEYS) {
      const dt = document.createElement('dt');
      dt.textContent = keys;
      const dd = document.createElement('dd');
      dd.textContent = what;
      list.append(dt, dd);
    }
    box.append(list);
  }
  box.hidden = !box.hidden;
}

const players = startPlayers();
const episodePlayer = startEpisodePlayer();
document.addEventListener('keydown', (event) => {
  if (episodePlayer && event.key === ' ' && !event.target.closest('input, textarea, select, button, video')) {
    event.preventDefault();
    episodePlayer.toggle();
    return;
  }
  onKey(event, players);
});
startLive();
