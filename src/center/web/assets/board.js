// The county board: one tile per room, fed by the center's server-sent events. Everything a room
// sent (names, titles, reasons) is set as text, never parsed as markup. Tiles are redrawn in place
// and hold only what the server sends (a bounded list per room): the page can stay open for months.
import { drawChart } from './chart.js';
import { STRINGS, chooseLanguage, format } from './strings.js';

let language = chooseLanguage(location.search);
let text = STRINGS[language];
/** deviceId → the room's latest tile data and its element. */
const tiles = new Map();
let brokerConnected = false;
let generatedMs = 0;
let streamLost = false;
let summaryPending = false;
let rendered = false;

const byId = (id) => document.getElementById(id);

function element(tag, className, content) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (content !== undefined) node.textContent = content;
  return node;
}

function twoDigits(value) {
  return String(value).padStart(2, '0');
}

/**
 * The live picture of a room's camera while its push is live: hls.js (loaded the first time a
 * camera is live) plays the stream the center relays from the county's media server. The player
 * outlives the tile's redraws: its element is moved into each new content, never rebuilt.
 */
let hlsModule;
const RETRY_MS = 3000;
/** The center serves it from the hls.js package (assets.ts), not from this folder. */
const PLAYER_MODULE = '/hls.js';
function loadHls() {
  hlsModule ??= import(PLAYER_MODULE).then((module) => module.default);
  return hlsModule;
}

function livePlayer(deviceId, camera) {
  const figure = element('figure', 'live');
  const video = element('video');
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  video.dataset.camera = camera;
  const caption = element('figcaption', '', format(text.live, { camera }));
  figure.append(video, caption);
  // A redraw takes the element out of the tile and puts it back, which pauses it.
  video.addEventListener('pause', () => {
    if (!player.closed) void video.play().catch(() => undefined);
  });
  video.addEventListener('canplay', () => void video.play().catch(() => undefined), { once: true });
  const player = { figure, video, caption, camera, hls: undefined, closed: false };
  const source = `/api/rooms/${encodeURIComponent(deviceId)}/cameras/${encodeURIComponent(camera)}/live.m3u8`;
  loadHls().then(
    (Hls) => {
      if (player.closed) return;
      if (!Hls.isSupported()) {
        caption.textContent = text.liveUnsupported;
        return;
      }
      // No worker: the page's policy allows scripts from its own origin only, not the blob: a worker would be.
      const hls = new Hls({ enableWorker: false, liveSyncDurationCount: 2, manifestLoadingMaxRetry: 6 });
      // A push that restarts (the room's link, the camera) leaves the player behind: it tries again.
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal) return;
        caption.textContent = format(text.liveLost, { camera });
        setTimeout(() => {
          if (player.closed) return;
          if (data.type === Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
          else hls.startLoad();
        }, RETRY_MS);
      });
      hls.on(Hls.Events.FRAG_BUFFERED, () => (caption.textContent = format(text.live, { camera })));
      hls.loadSource(source);
      hls.attachMedia(video);
      player.hls = hls;
    },
    () => (caption.textContent = text.liveUnsupported),
  );
  return player;
}

function closePlayer(player) {
  player.closed = true;
  player.hls?.destroy();
}

/** The tile's players for its live cameras: kept, started or ended to match the cameras' states. */
function livePlayers(tile, room) {
  const live = new Set(room.cameras.filter((camera) => camera.state === 'live').map((camera) => camera.name));
  for (const [camera, player] of tile.players) {
    if (live.has(camera)) continue;
    closePlayer(player);
    tile.players.delete(camera);
  }
  for (const camera of live) if (!tile.players.has(camera)) tile.players.set(camera, livePlayer(room.deviceId, camera));
  return [...tile.players.values()].map((player) => player.figure);
}

/** Local time; the date too when it is not today. */
function clock(ms) {
  const at = new Date(ms);
  const time = `${twoDigits(at.getHours())}:${twoDigits(at.getMinutes())}:${twoDigits(at.getSeconds())}`;
  if (at.toDateString() === new Date().toDateString()) return time;
  return `${at.getFullYear()}-${twoDigits(at.getMonth() + 1)}-${twoDigits(at.getDate())} ${time}`;
}

function stateText(room) {
  if (room.state === 'online') return text.online;
  if (room.state === 'offline')
    return room.reason ? format(text.offlineBecause, { reason: room.reason }) : text.offline;
  return text.unknown;
}

function chainText(room) {
  if (room.chain.status === 'broken') return format(text.chainBroken, { seq: room.chain.seq });
  if (room.chain.status === 'waiting') return format(text.chainWaiting, { seq: room.contiguousSeq });
  return format(text.chainOk, { seq: room.contiguousSeq });
}

/** The room's latest gap: where its chain continues, what it skipped and why. */
function gapText(gap) {
  const why = labelOf(text.gapReasons, gap.reason);
  return gap.lost === null
    ? format(text.gapNothingLost, { seq: gap.seq, why })
    : format(text.gapLost, { seq: gap.seq, from: gap.lost.fromSeq, to: gap.lost.toSeq, why });
}

function isDemo(room) {
  return room.scannerDriver === 'emulator' || room.signIns.emulated > 0;
}

/** A state or problem a newer room reports and this page does not know yet is shown as the room sent it. */
function labelOf(labels, value) {
  return Object.hasOwn(labels, value) ? labels[value] : value;
}

/** What the push carries: codec and size, audio as pushed, the bitrate the room measured. */
function streamText(camera) {
  const parts = [];
  if (camera.video) parts.push(`${camera.video.codec} ${camera.video.width}×${camera.video.height}`);
  if (camera.audio && camera.audio.pushedAs !== 'none')
    parts.push(camera.audio.pushedAs === 'aac' ? `${camera.audio.codec} → aac` : camera.audio.codec);
  if (typeof camera.bitrateKbps === 'number')
    parts.push(format(text.bitrate, { kbps: Math.round(camera.bitrateKbps) }));
  if (camera.restartsLastMinute > 0) parts.push(format(text.restarts, { count: camera.restartsLastMinute }));
  return parts.join(' · ');
}

/** One line per camera: name, state, stream; under it the problem and the room's advice (English on the wire). */
function cameraList(cameras) {
  const list = element('ul', 'cameras');
  list.setAttribute('aria-label', text.cameras);
  for (const camera of cameras) {
    const item = element('li', `camera state-${camera.state}`);
    item.dataset.camera = camera.name;
    item.dataset.state = camera.state;
    item.append(
      element('span', 'name', camera.name),
      element('span', 'state', labelOf(text.cameraStates, camera.state)),
      element('span', 'stream', streamText(camera)),
    );
    if (camera.problem) item.append(element('div', 'problem', labelOf(text.cameraProblems, camera.problem)));
    if (camera.detail) item.append(element('div', 'advice', camera.detail));
    list.append(item);
  }
  return list;
}

function fact(label, value, className) {
  const item = element('div', className);
  item.append(element('dt', '', label), element('dd', '', value));
  return item;
}

function signInItem(signIn) {
  const item = element('li', signIn.emulated ? 'signin emulated' : 'signin');
  item.append(
    element('time', '', clock(signIn.wallMs)),
    element('span', 'name', signIn.name ?? signIn.memberId),
    element('span', `clock ${signIn.time}`, text[signIn.time]),
  );
  if (signIn.emulated) item.append(element('span', 'badge demo', text.demo));
  return item;
}

/** The tile's whole content, built afresh (but for its live players): the old nodes go with replaceChildren. */
function fillTile(node, room) {
  node.className = `tile state-${room.state ?? 'unknown'}${room.chain.status === 'broken' || room.damaged !== null ? ' broken' : ''}${isDemo(room) ? ' demo-room' : ''}`;
  const head = element('header');
  head.append(element('h2', 'room', room.deviceId), element('span', 'badge state', stateText(room)));
  if (isDemo(room)) head.append(element('span', 'badge demo', text.demoRoom));

  const facts = element('dl', 'facts');
  const chain = fact(text.chain, chainText(room), `chain-${room.chain.status}`);
  if (room.chain.status !== 'ok') chain.title = room.chain.reason;
  facts.append(
    fact(text.lastSeen, clock(room.lastSeenMs)),
    fact(text.backlog, room.backlog === null ? text.none : String(room.backlog)),
    chain,
  );
  if (room.gaps.length > 0) {
    const gaps = fact(text.gaps, gapText(room.gaps.at(-1)), 'gaps');
    gaps.title = room.gaps.map(gapText).join('\n');
    facts.append(gaps);
  }

  const activity = element('div', 'activity');
  activity.append(element('span', 'label', text.activity));
  if (room.activity === null) activity.append(element('span', 'idle', text.noActivity));
  else
    activity.append(
      element('span', 'title', room.activity.title ?? room.activity.type ?? room.activity.activityId),
      element('span', 'since', format(text.since, { time: clock(room.activity.startedMs) })),
    );

  const count = element('div', 'count');
  count.append(element('span', 'number', String(room.signIns.real)), element('span', 'unit', text.count));
  if (room.signIns.emulated > 0)
    count.append(element('span', 'badge demo', format(text.countEmulated, { emulated: room.signIns.emulated })));

  const alarm =
    room.damaged === null
      ? []
      : [
          element(
            'div',
            'alarm damaged',
            format(text.damagedAlarm, { file: room.damaged.quarantinedFile ?? '-', seq: room.damaged.seq }),
          ),
        ];
  const parts = [head, ...alarm, facts, activity, count, ...livePlayers(tiles.get(room.deviceId), room)];
  if (room.photos.length > 0) {
    // Each address names its file: a new photo is fetched once, the others come from the cache.
    const figure = element('figure', 'photos');
    for (const photo of room.photos) {
      const image = element('img');
      image.alt = format(text.photo, { time: clock(photo.completedMs) });
      image.src = `/api/rooms/${encodeURIComponent(room.deviceId)}/photos/${encodeURIComponent(photo.fileId)}`;
      figure.append(image);
    }
    figure.append(element('figcaption', '', format(text.photos, { time: clock(room.photos[0].completedMs) })));
    parts.push(figure);
  }

  const list = element('ol', 'signins');
  if (room.recent.length === 0) list.append(element('li', 'none', text.noSignIns));
  for (const signIn of room.recent) list.append(signInItem(signIn));

  const foot = element(
    'footer',
    '',
    [
      room.scannerDriver === null ? text.noScanner : format(text.scanner, { driver: room.scannerDriver }),
      ...(room.cameras.length === 0 ? [text.noCameras] : []),
      format(text.files, { count: room.files }),
    ].join(' · '),
  );
  if (room.cameras.length > 0) parts.push(cameraList(room.cameras));
  node.replaceChildren(...parts, list, foot);
}

function placeTile(node, deviceId) {
  const container = byId('rooms');
  const after = [...tiles.keys()].filter((id) => id > deviceId).sort()[0];
  container.insertBefore(node, after === undefined ? null : tiles.get(after).node);
}

function apply(update) {
  brokerConnected = update.brokerConnected;
  generatedMs = update.generatedMs;
  if (update.full) {
    const keep = new Set(update.rooms.map((room) => room.deviceId));
    for (const [deviceId, tile] of tiles) {
      if (keep.has(deviceId)) continue;
      for (const player of tile.players.values()) closePlayer(player);
      tile.node.remove();
      tiles.delete(deviceId);
    }
  }
  for (const room of update.rooms) {
    let tile = tiles.get(room.deviceId);
    if (tile === undefined) {
      tile = { node: element('article', 'tile'), room, players: new Map() };
      tile.node.dataset.room = room.deviceId;
      placeTile(tile.node, room.deviceId);
      tiles.set(room.deviceId, tile);
    }
    tile.room = room;
    fillTile(tile.node, room);
  }
  scheduleSummary();
  if (!rendered) {
    rendered = true;
    performance.mark('board:first-render');
  }
}

/** Header, totals and chart: once per frame, however many updates arrived in it. */
function scheduleSummary() {
  if (summaryPending) return;
  summaryPending = true;
  requestAnimationFrame(() => {
    summaryPending = false;
    drawSummary();
  });
}

function total(label, value, className) {
  const item = element('div', `total ${className ?? ''}`);
  item.append(element('span', 'value', String(value)), element('span', 'label', label));
  return item;
}

function drawSummary() {
  const rooms = [...tiles.values()].map((tile) => tile.room).sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1));
  const sum = (pick) => rooms.reduce((n, room) => n + pick(room), 0);
  byId('broker').textContent = streamLost ? text.streamLost : brokerConnected ? text.brokerUp : text.brokerDown;
  byId('broker').className = `broker ${streamLost || !brokerConnected ? 'down' : 'up'}`;
  byId('updated').textContent = generatedMs === 0 ? '' : format(text.updated, { time: clock(generatedMs) });
  const totals = [
    total(text.rooms, rooms.length),
    total(
      text.online,
      sum((room) => (room.state === 'online' ? 1 : 0)),
    ),
    total(
      text.signInsToday,
      sum((room) => room.signIns.real),
      'total-signins',
    ),
  ];
  const emulated = sum((room) => room.signIns.emulated);
  if (emulated > 0) totals.push(total(text.emulatedToday, emulated, 'total-demo'));
  const broken = sum((room) => (room.chain.status === 'broken' ? 1 : 0));
  if (broken > 0) totals.push(total(text.brokenChains, broken, 'total-broken'));
  byId('totals').replaceChildren(...totals);
  drawChart(
    byId('chart'),
    rooms.map((room) => ({ deviceId: room.deviceId, real: room.signIns.real, emulated: room.signIns.emulated })),
    text,
  );
  byId('empty').hidden = rooms.length > 0;
}

function applyLanguage() {
  text = STRINGS[language];
  document.documentElement.lang = language === 'en' ? 'en' : 'zh-CN';
  document.title = text.pageTitle;
  byId('title').textContent = text.title;
  byId('chart-title').textContent = text.chartTitle;
  byId('language').textContent = text.switchLanguage;
  byId('empty').textContent = text.noRooms;
  for (const tile of tiles.values()) fillTile(tile.node, tile.room);
  scheduleSummary();
}

byId('language').addEventListener('click', () => {
  language = language === 'en' ? 'zh' : 'en';
  const url = new URL(location.href);
  if (language === 'en') url.searchParams.set('lang', 'en');
  else url.searchParams.delete('lang');
  history.replaceState(null, '', url);
  applyLanguage();
});

applyLanguage();
const stream = new EventSource('/api/live');
for (const name of ['board', 'rooms'])
  stream.addEventListener(name, (event) => {
    streamLost = false;
    apply(JSON.parse(event.data));
  });
stream.addEventListener('error', () => {
  streamLost = true;
  scheduleSummary();
});
