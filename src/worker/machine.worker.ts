// The machine worker: one LabSession (session.ts) exposed through comlink with
// the API of protocol.ts. Runs the machine in ~10 ms slices, yielding to the
// worker's event loop between them (so pause() lands within one slice) and
// publishing a snapshot about every 30 ms (at least 30 a second; measured: no loss of speed within the noise). RAM is a
// SharedArrayBuffer when the page is cross-origin isolated, so the page reads
// memory and screens without copies.
import * as Comlink from 'comlink';
import { LabSession } from './session';
import { loadIced } from './iced';
import type { BootRequest, BreakpointRequest, MachineSnapshot, MachineWorkerApi, MemorySpace } from './protocol';

const SLICE_MS = 10;
const PUBLISH_MS = 25; // checked after each ~10 ms slice, so snapshots come every 25-35 ms: ≥30 a second

/** Yield to the event loop (queued comlink calls such as pause() run) without setTimeout clamping. */
const channel = new MessageChannel();
const waiters: Array<() => void> = [];
channel.port1.onmessage = () => waiters.shift()?.();
const yieldToEventLoop = () => new Promise<void>((resolve) => { waiters.push(resolve); channel.port2.postMessage(0); });

async function fetchImage(name: string): Promise<Uint8Array> {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`bad image name '${name}'`);
  const r = await fetch(`/images/${name}`);
  if (!r.ok) throw new Error(`${name}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

const session = new LabSession(fetchImage, typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated);
let pauseRequested = false;
let running: Promise<MachineSnapshot> | null = null;

async function stopRunning(): Promise<void> {
  if (!running) return;
  pauseRequested = true;
  await running.catch(() => undefined);
}

const api: MachineWorkerApi = {
  async boot(req: BootRequest, bytes?: Record<string, Uint8Array>) {
    await stopRunning();
    await session.boot(req, bytes);
    return session.snapshot();
  },
  async memory() {
    return session.machine ? session.machine.mem.buffer : null;
  },
  run(onSnapshot, serialFrom = 0, eventsFrom = 0) {
    if (running) return running;
    pauseRequested = false;
    // The body may finish without ever awaiting (a breakpoint in the first slice), so the
    // promise is stored before it can clear itself.
    let p!: Promise<MachineSnapshot>;
    p = (async () => {
      await Promise.resolve();
      session.running = true;
      let last = performance.now();
      let sFrom = serialFrom, eFrom = eventsFrom;
      try {
        while (!pauseRequested && !session.finished) {
          const stop = session.runSlice(SLICE_MS);
          if (stop) break;
          const now = performance.now();
          if (onSnapshot && now - last >= PUBLISH_MS) {
            last = now;
            const s = session.snapshot(sFrom, eFrom);
            sFrom = s.serial.length;
            if (s.events.length) eFrom = s.events[s.events.length - 1]!.seq + 1;
            void Promise.resolve().then(() => onSnapshot(s)).catch(() => undefined);
          }
          await yieldToEventLoop();
        }
        if (pauseRequested) session.paused();
      } finally {
        session.running = false;
        if (running === p) running = null;
      }
      return session.snapshot(sFrom, eFrom);
    })();
    running = p;
    return p;
  },
  async pause() {
    pauseRequested = true;
  },
  async step(kind, n) {
    await stopRunning();
    session.step(kind, n);
    return session.snapshot();
  },
  async snapshot(serialFrom, eventsFrom) {
    return session.snapshot(serialFrom, eventsFrom);
  },
  async addBreakpoint(req: BreakpointRequest) { return session.addBreakpoint(req); },
  async removeBreakpoint(id) { return session.removeBreakpoint(id); },
  async enableBreakpoint(id, on) { return session.enableBreakpoint(id, on); },
  async breakpoints() { return session.breakpoints(); },
  async readMemory(space: MemorySpace, address: string, length: number, asid?: number) {
    return session.readMemory(space, Number(BigInt(address)), length, asid);
  },
  async vmcb(asid) { return session.vmcb(asid); },
  async pageWalk(asid, va) { return session.pageWalk(asid, Number(BigInt(va))); },
  async disassemble(count) { return session.disassemble(await loadIced(), count); },
  async experiment(mhz, switches) {
    await stopRunning();
    return session.experiment(mhz, switches);
  },
};

Comlink.expose(api);
