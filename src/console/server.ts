import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { Client, Connection } from '@temporalio/client';
import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { listDeliveries } from '../store/delivery/list-deliveries.js';
import { uiBaseUrl } from '../review/ui-url.js';
import { changeEpisodeBudget, decideOnSequence, redeliverEpisode, type DecisionOutcome } from '../review/decisions.js';
import { bodyOf, budgetSchema, decisionSchema, issuesText, NAME_FIRST, nameSchema, refusal, withoutEmpty } from './decision-input.js';
import { streamChanges } from './event-stream.js';
import { registerGuestRoutes } from './guest-routes.js';
import { registerLinkRoutes } from './link-routes.js';
import { EpisodeFeeds } from './episode-feed.js';
import { listEpisodes } from './episode-list.js';
import { MediaLibrary } from './media.js';
import { serveStored } from './serve-stored.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import { TakeFrames } from './take-frames.js';
import { boardBody } from './pages/board.js';
import { episodePlayerBody } from './pages/episode-cut.js';
import { compareBody } from './pages/compare.js';
import { dailiesBody, reviewQueue } from './pages/dailies.js';
import { deliveryBody } from './pages/delivery.js';
import { newestWatchable } from './pages/format.js';
import { framesBody } from './pages/frames.js';
import { readEpisodeBilling } from '../review/read-billing.js';
import { readReconciliation } from '../store/billing/reconciliation-file.js';
import { historyBody } from './pages/history.js';
import { homeBody } from './pages/home.js';
import { queueBody, studioQueue } from './pages/queue.js';
import { submissionQuestionOf } from './pages/settle.js';
import { emptyBody, page, type Html, type Tab } from './pages/layout.js';
import { episodePath, episodeRefSchema, gridImageIndex, positiveInt, sequenceRefSchema, type EpisodeRef } from './refs.js';
import { accessPolicy, guard, headers, isLoopback } from './security.js';
import { loadStaticFiles } from './static-files.js';
import { placeNote, readTakeManifest } from './take-details.js';

export const USER_COOKIE = 'recoil_user';

export interface ConsoleOptions {
  client: Client;
  connection: Connection;
  namespace: string;
  store: ArtifactStore;
  host?: string;
  port?: number;
  /** Extra Host header names to answer to, e.g. the machine's DNS name on a shared network. */
  allowHosts?: string[];
  /** Who acts when the reviewer has not entered a name: RECOIL_USER. */
  defaultUser?: string;
  uiBase?: string;
}

export interface RunningConsole {
  /** The address to open; carries the one-time token when the console listens beyond this machine. */
  url: string;
  port: number;
  token?: string;
  feeds: EpisodeFeeds;
  close(): Promise<void>;
}

export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const host = options.host ?? '127.0.0.1';
  const policy = accessPolicy(host, options.allowHosts ?? []);
  const feeds = new EpisodeFeeds(options.client, options.connection);
  const app = await consoleApp(options, feeds);
  const guarded = new Hono();
  guarded.use(headers(), guard(policy));
  guarded.route('/', app);
  const server = await listen(guarded, host, options.port ?? 4500);
  const port = (server.address() as AddressInfo).port;
  const shown = isLoopback(host) ? host : host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const base = `http://${shown.includes(':') && !shown.startsWith('[') ? `[${shown}]` : shown}:${port}`;
  return {
    url: policy.token ? `${base}/auth?token=${policy.token}` : base,
    port,
    ...(policy.token ? { token: policy.token } : {}),
    feeds,
    close: async () => {
      server.closeAllConnections();
      await feeds.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(app: Hono, hostname: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname, port }, () => resolve(server as Server)) as Server;
    server.once('error', reject);
  });
}

async function consoleApp(options: ConsoleOptions, feeds: EpisodeFeeds): Promise<Hono> {
  const { client, namespace, store } = options;
  const media = new MediaLibrary(store);
  const takeFrames = new TakeFrames();
  const staticFiles = await loadStaticFiles();
  const uiBase = options.uiBase ?? uiBaseUrl(options.connection.options.address);
  const app = new Hono();
  const userOf = (c: Context) => getCookie(c, USER_COOKIE) || options.defaultUser || undefined;
  const render = (c: Context, tab: Tab, title: string, body: Html, episode?: EpisodeRef, version?: number, events?: string) =>
    c.html(page({ title, tab, user: userOf(c), body, ...(episode ? { episode } : {}), ...(version !== undefined ? { version } : {}), ...(events ? { events } : {}) }));

  app.get('/static/:name', (c) => {
    const file = staticFiles.get(c.req.param('name'));
    if (!file) return c.notFound();
    return c.body(file.body, 200, { 'Content-Type': file.type, 'Cache-Control': 'no-cache' });
  });

  app.get('/favicon.ico', (c) => c.body(null, 204));

  app.get('/', async (c) => render(c, 'home', 'Episodes', homeBody(await listEpisodes(client))));

  /** The running episodes' feeds: the studio queue reads and follows them all. */
  const runningFeeds = async () => (await listEpisodes(client)).filter((e) => e.running).map((e) => feeds.feed({ projectId: e.projectId, episode: e.episode }));

  app.get('/queue', async (c) => {
    const changes = await Promise.all((await runningFeeds()).map((feed) => feed.current()));
    const snapshots = changes.map((change) => change.snapshot);
    const version = changes.reduce((sum, change) => sum + change.version, 0);
    return render(c, 'queue', 'Waiting for you', queueBody(studioQueue(snapshots), snapshots), undefined, version, '/events/queue');
  });

  /** One number that grows whenever any running episode changes: the sum of their feeds' versions. */
  app.get('/events/queue', async (c) => {
    const followed = await runningFeeds();
    const versions = new Map(await Promise.all(followed.map(async (feed) => [feed, (await feed.current()).version] as const)));
    const total = () => [...versions.values()].reduce((a, b) => a + b, 0);
    return streamChanges(c, (send) => followed.map((feed) => feed.subscribe((change) => {
      versions.set(feed, change.version);
      send(total());
    })), total);
  });

  app.get('/p/:projectId/:episode', (c) => {
    const ref = episodeRefSchema.safeParse(c.req.param());
    return ref.success ? c.redirect(`${episodePath(ref.data)}/board`) : c.notFound();
  });

  app.get('/p/:projectId/:episode/board', async (c) => {
    const ref = episodeRefSchema.safeParse(c.req.param());
    if (!ref.success) return c.notFound();
    const { version, snapshot } = await feeds.feed(ref.data).current();
    const stateFilter = c.req.query('state');
    const billing = await readEpisodeBilling(ref.data.projectId, ref.data.episode, snapshot.sequences.map((r) => r.sequenceId), store);
    return render(c, 'board', `${ref.data.episode} board`, boardBody({ snapshot, billing, namespace, uiBase, ...(stateFilter ? { stateFilter } : {}) }), ref.data, version);
  });

  app.get('/p/:projectId/:episode/play', async (c) => {
    const ref = episodeRefSchema.safeParse(c.req.param());
    if (!ref.success) return c.notFound();
    const { version, snapshot } = await feeds.feed(ref.data).current();
    return render(c, 'board', `${ref.data.episode} played back to back`, episodePlayerBody(snapshot), ref.data, version);
  });

  app.get('/p/:projectId/:episode/dailies', async (c) => {
    const ref = episodeRefSchema.safeParse(c.req.param());
    if (!ref.success) return c.notFound();
    const { version, snapshot } = await feeds.feed(ref.data).current();
    const wanted = c.req.query('seq') ?? reviewQueue(snapshot).find((item) => item.kind !== 'frames')?.sequenceId;
    const row = snapshot.sequences.find((r) => r.sequenceId === wanted);
    const asking = row && submissionQuestionOf(row) ? row : undefined;
    const takeNumber = Number(c.req.query('take'));
    const take = row?.status && (row.status.takes.find((t) => t.take === takeNumber && t.videoPath) ?? newestWatchable(row.status.takes));
    const selected = row && take ? { row, take, manifest: await readTakeManifest(store, { ...ref.data, sequenceId: row.sequenceId }, take.take) } : undefined;
    return render(c, 'dailies', `${ref.data.episode} dailies`, dailiesBody({ snapshot, ...(selected ? { selected } : {}), ...(asking ? { asking } : {}) }), ref.data, version);
  });

  app.get('/p/:projectId/:episode/delivery', async (c) => {
    const ref = episodeRefSchema.safeParse(c.req.param());
    if (!ref.success) return c.notFound();
    const versions = await listDeliveries(store, ref.data.projectId, ref.data.episode);
    return render(c, 'delivery', `${ref.data.episode} delivery`, deliveryBody(ref.data, versions), ref.data);
  });

  const sequencePage = (view: 'frames' | 'history' | 'compare') =>
    app.get(`/p/:projectId/:episode/s/:sequenceId/${view}`, async (c) => {
      const ref = sequenceRefSchema.safeParse(c.req.param());
      if (!ref.success) return c.notFound();
      const { version, snapshot } = await feeds.feed(ref.data).current();
      const row = snapshot.sequences.find((r) => r.sequenceId === ref.data.sequenceId);
      if (!row) return c.text(`no sequence ${ref.data.sequenceId} in ${ref.data.projectId} ${ref.data.episode}`, 404);
      const episode = { projectId: ref.data.projectId, episode: ref.data.episode };
      const title = `${ref.data.sequenceId} ${view}`;
      if (view === 'frames') return render(c, 'sequence', title, framesBody(ref.data, row), episode, version);
      if (view === 'history') return render(c, 'sequence', title, historyBody(ref.data, row, (await readReconciliation(store))?.unclaimed ?? []), episode, version);
      const watchable = row.status?.takes.filter((t) => t.videoPath) ?? [];
      const pick = (query: string | undefined, fallback: number) => watchable.find((t) => t.take === Number(query)) ?? watchable.at(fallback);
      const [a, b] = [pick(c.req.query('a'), -2), pick(c.req.query('b'), -1)];
      if (!a || !b) return render(c, 'sequence', title, emptyBody(`${ref.data.sequenceId} has fewer than two finished takes to compare.`), episode, version);
      const side = async (take: typeof a) => ({ take, manifest: await readTakeManifest(store, ref.data, take.take) });
      return render(c, 'sequence', title, compareBody(ref.data, watchable, await side(a), await side(b)), episode, version);
    });
  sequencePage('frames');
  sequencePage('history');
  sequencePage('compare');

  app.post('/p/:projectId/:episode/s/:sequenceId/decide', async (c) => {
    const ref = sequenceRefSchema.safeParse(c.req.param());
    if (!ref.success) return c.notFound();
    const by = userOf(c);
    if (!by) return c.json(refusal(NAME_FIRST), 400);
    const decision = decisionSchema.safeParse(withoutEmpty(await bodyOf(c)));
    if (!decision.success) return c.json(refusal(issuesText(decision.error, 'request')), 400);
    if (decision.data.kind === 'note') {
      const placed = placeNote(await readTakeManifest(store, ref.data, decision.data.take), decision.data);
      if ('refused' in placed) return c.json(refusal(placed.refused), 409);
      return answer(c, ref.data, ref.data.sequenceId, () => decideOnSequence(client, ref.data, { ...placed.note, kind: 'note' }, by));
    }
    return answer(c, ref.data, ref.data.sequenceId, () => decideOnSequence(client, ref.data, decision.data, by));
  });

  app.post('/p/:projectId/:episode/budget', async (c) => {
    const ref = episodeRefSchema.safeParse(c.req.param());
    if (!ref.success) return c.notFound();
    const by = userOf(c);
    if (!by) return c.json(refusal(NAME_FIRST), 400);
    const body = budgetSchema.safeParse(await bodyOf(c));
    if (!body.success) return c.json(refusal('budgetUsd: a number of dollars, 0 or more'), 400);
    return answer(c, ref.data, undefined, () => changeEpisodeBudget(client, ref.data, body.data.budgetUsd, by));
  });

  /** "Deliver again" on the Board: the same redeliver Update as `recoil deliver`; it takes no input but who asks. */
  app.post('/p/:projectId/:episode/redeliver', async (c) => {
    const ref = episodeRefSchema.safeParse(c.req.param());
    if (!ref.success) return c.notFound();
    const by = userOf(c);
    if (!by) return c.json(refusal(NAME_FIRST), 400);
    return answer(c, ref.data, undefined, () => redeliverEpisode(client, ref.data, by));
  });

  app.post('/whoami', async (c) => {
    const body = nameSchema.safeParse(await bodyOf(c));
    if (!body.success) return c.json(refusal('enter a name of up to 60 characters'), 400);
    setCookie(c, USER_COOKIE, body.data.name, { httpOnly: true, sameSite: 'Strict', path: '/', maxAge: 60 * 60 * 24 * 365 });
    return c.json({ kind: 'accepted', name: body.data.name });
  });

  /** Sends the decision, then wakes the episode's reader so every tab sees the result at once. */
  async function answer(c: Context, ref: EpisodeRef, sequenceId: string | undefined, send: () => Promise<DecisionOutcome>) {
    try {
      const outcome = await send();
      void feeds.feed(ref).refreshAfterDecision(sequenceId).catch(() => {});
      return c.json(outcome, outcome.kind === 'refused' ? 409 : 200);
    } catch (err) {
      return c.json(refusal((err as Error).message), 409);
    }
  }

  app.get('/events/p/:projectId/:episode', async (c) => {
    const ref = episodeRefSchema.safeParse(c.req.param());
    if (!ref.success) return c.notFound();
    const feed = feeds.feed(ref.data);
    return streamChanges(c, (send) => [feed.subscribe((change) => send(change.version))], async () => (await feed.current()).version);
  });

  app.get('/media/take/:projectId/:episode/:sequenceId/:take/video', async (c) => {
    const ref = sequenceRefSchema.safeParse(c.req.param());
    const take = positiveInt.safeParse(c.req.param('take'));
    const file = ref.success && take.success ? await media.takeVideo(ref.data, take.data) : undefined;
    return file ? serveStored(c, store, file) : c.notFound();
  });

  app.get('/media/take/:projectId/:episode/:sequenceId/:take/:end{first-frame|last-frame}', async (c) => {
    const ref = sequenceRefSchema.safeParse(c.req.param());
    const take = positiveInt.safeParse(c.req.param('take'));
    const file = ref.success && take.success ? await media.localTakeVideo(ref.data, take.data) : undefined;
    if (!file) return c.notFound();
    const jpeg = await takeFrames.frame(file, c.req.param('end') === 'first-frame' ? 'first' : 'last');
    return c.body(new Uint8Array(jpeg), 200, { 'content-type': 'image/jpeg', 'cache-control': 'private, max-age=3600' });
  });

  app.get('/media/grid/:projectId/:episode/:sequenceId/:grid/:quadrant', async (c) => {
    const ref = sequenceRefSchema.safeParse(c.req.param());
    const grid = positiveInt.safeParse(c.req.param('grid'));
    const quadrant = gridImageIndex.safeParse(c.req.param('quadrant'));
    const file = ref.success && grid.success && quadrant.success ? await media.gridImage(ref.data, grid.data, quadrant.data) : undefined;
    return file ? serveStored(c, store, file) : c.notFound();
  });

  app.get('/media/delivery/:projectId/:episode/:version/:file', async (c) => {
    const ref = episodeRefSchema.safeParse(c.req.param());
    const version = positiveInt.safeParse(c.req.param('version'));
    const fileParam = c.req.param('file');
    const which = fileParam === 'cut' || fileParam === 'manifest' ? fileParam : /^\d{1,3}$/.test(fileParam) ? Number(fileParam) : undefined;
    const file = ref.success && version.success && which !== undefined ? await media.deliveryFile(ref.data, version.data, which) : undefined;
    return file ? serveStored(c, store, file) : c.notFound();
  });

  registerGuestRoutes(app, {
    client,
    feeds,
    media,
    store,
    render: (c, title, body, link, status = 200) =>
      c.html(page({ title, tab: 'guest', user: undefined, body, ...(link ? { guest: { name: link.guest, projectId: link.projectId, episode: link.episode, expiresAt: link.expiresAt } } : {}) }), status),
    answer: (c, link, sequenceId, send) => answer(c, { projectId: link.projectId, episode: link.episode }, sequenceId, send),
  });

  registerLinkRoutes(app, { store, userOf, render: (c, ref, body) => render(c, 'links', `${ref.episode} review links`, body, ref) });

  app.notFound((c) => c.text('not found', 404));
  app.onError((err, c) => c.text(`the console could not answer: ${err.message}`, 500));
  return app;
}
