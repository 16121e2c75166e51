import { expect, it } from 'vitest';
import { seededRandom } from '../helpers/seededRandom.js';
import { storedThrough, until, useSyncScenario } from '../helpers/syncScenario.js';
import { FAST_COUNTY } from '../helpers/syncRoom.js';
import { startTcpProxy } from '../helpers/tcpProxy.js';

const scenario = useSyncScenario();

/** A minute of chaos by default; SYNC_CHAOS_SECONDS shortens it while developing. */
const CHAOS_SECONDS = Number(process.env.SYNC_CHAOS_SECONDS ?? 60);
const SEED = Number(process.env.SYNC_CHAOS_SEED ?? 4_2024);

const FAULTS = ['cut', 'puback', 'blackhole', 'refuse'] as const;
type Fault = (typeof FAULTS)[number];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it(
  `a link cut at seeded random moments for ${CHAOS_SECONDS} s (resets, between PUBLISH and PUBACK, silent half-open drops, refusals) while sign-ins keep coming loses nothing`,
  async () => {
    // Two streams, so the faults replay exactly whatever the sign-ins' timing does.
    const faultRandom = seededRandom(SEED);
    const signInRandom = seededRandom(SEED + 1);
    const sync = await scenario({ via: (port) => startTcpProxy({ targetPort: port }) });
    const { room, proxy } = sync;
    await sync.startCenter();
    await room.start();
    await room.addMembers();
    await sync.waitSynced();

    const faults: Record<Fault, number> = { cut: 0, puback: 0, blackhole: 0, refuse: 0 };
    let pubackCuts = 0;
    const chaosEnds = performance.now() + CHAOS_SECONDS * 1000;
    const signIns = (async () => {
      let count = 0;
      while (performance.now() < chaosEnds) {
        await room.signIn();
        count++;
        await sleep(20 + signInRandom() * 150);
      }
      return count;
    })();
    while (performance.now() < chaosEnds) {
      await sleep(300 + faultRandom() * 2_500);
      const fault = FAULTS[Math.floor(faultRandom() * FAULTS.length)]!;
      faults[fault]++;
      if (fault === 'cut') proxy.cut();
      else if (fault === 'puback') void proxy.cutBetweenPublishAndPuback().then(() => pubackCuts++);
      else if (fault === 'blackhole') {
        // Silent: no FIN, no RST; the room finds out by its own keepalive. New connections pass again at once.
        proxy.blackhole();
        proxy.heal();
      } else {
        proxy.refuse(true);
        await sleep(200 + faultRandom() * 2_000);
        proxy.refuse(false);
      }
    }
    const signedIn = await signIns;

    // The last fault may still be playing out: a half-open connection is noticed only after 1.5 × keepalive.
    await sleep(1.5 * FAST_COUNTY.keepaliveSeconds * 1000 + 1_000);
    await until(
      async () => (await room.status()).sync.link.state === 'connected',
      30_000,
      () => 'the link up again after the storm',
    );
    const head = await sync.waitSynced();
    expect(sync.centerView()).toMatchObject({ stored: storedThrough(head), broken: null });
    expect((await room.status()).sync).toMatchObject({ cursor: { seq: head }, backlog: { events: 0 } });
    // The storm really happened: every kind of fault, a cut between a publish and its PUBACK among them, and reconnects.
    expect(signedIn).toBeGreaterThan(CHAOS_SECONDS * 3);
    for (const fault of FAULTS) expect(faults[fault], `${fault} faults`).toBeGreaterThan(0);
    expect(pubackCuts).toBeGreaterThan(0);
    expect(proxy.stats.connections).toBeGreaterThan(faults.cut + faults.blackhole);
  },
  CHAOS_SECONDS * 1000 + 90_000,
);
