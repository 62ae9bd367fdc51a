// The breakpoint table: what can stop the machine, with ids, enable/disable and
// hit counts. The debugger (debugger.ts) asks it, from its hooks, which
// breakpoints a world switch, an instruction address, a port access or a
// physical write matches; this module only keeps and matches them.
import { hexAddr, worldName } from './world';
import { exitName } from '../svm/exitcodes';

/** Which worlds a breakpoint applies to: one (0 = host, n = ASID n), every guest, or any. */
export type WorldFilter = number | 'guest' | 'any';

export type BreakpointSpec =
  /** #VMEXIT: any, or one exit code, optionally only for one guest (ASID). */
  | { kind: 'vmexit'; exitCode?: number; asid?: number }
  /** The first instruction of a guest after VMRUN (any guest, or one ASID). */
  | { kind: 'guest-entry'; asid?: number }
  /**
   * An instruction address: a number/bigint, or an expression the symbol table
   * resolves ("kmain", "hvmm:vm_boot+0x10", "0x101220"). `world` defaults to the
   * symbol's image's world, else the host; guest addresses are guest-virtual.
   */
  | { kind: 'address'; at: number | bigint | string; world?: WorldFilter }
  /** Port I/O to ports port..last (default just port), in, out or both. */
  | { kind: 'io'; port: number; last?: number; access?: 'in' | 'out' | 'any' }
  /** A write to host-physical bytes [pa, pa + length): stops after the writing instruction. */
  | { kind: 'write'; pa: number; length?: number };

export type BreakpointKind = BreakpointSpec['kind'];

export interface Breakpoint {
  readonly id: number;
  readonly spec: BreakpointSpec;
  enabled: boolean;
  hits: number;
  /** For address breakpoints: the resolved linear address and world. */
  readonly address?: number;
  readonly world?: WorldFilter;
  /** A readable description, e.g. "vmexit HLT asid 1", "address 0x101220 (kmain) host". */
  readonly label: string;
}

export function worldMatches(f: WorldFilter, w: number): boolean {
  return f === 'any' || (f === 'guest' ? w !== 0 : f === w);
}

function filterName(f: WorldFilter): string {
  return typeof f === 'number' ? worldName(f) : f === 'guest' ? 'any guest' : 'any world';
}

export class BreakpointTable {
  private nextId = 1;
  readonly all = new Map<number, Breakpoint>();
  /** Enabled address breakpoints by linear address (the per-instruction check). */
  readonly byAddress = new Map<number, Breakpoint[]>();
  /** Counts of enabled breakpoints per kind: the debugger installs only the hooks they need. */
  readonly enabledCount: Record<BreakpointKind, number> = { vmexit: 0, 'guest-entry': 0, address: 0, io: 0, write: 0 };
  /** Bumped on every change (the debugger re-installs hooks and watch pages). */
  version = 0;

  /** Add a breakpoint; `resolved` is the address breakpoint's linear address and world (the debugger resolves symbols). */
  add(spec: BreakpointSpec, resolved?: { address: number; world: WorldFilter; name?: string }): Breakpoint {
    const id = this.nextId++;
    const bp: Breakpoint = { id, spec, enabled: true, hits: 0, address: resolved?.address, world: resolved?.world, label: label(spec, resolved) };
    this.all.set(id, bp);
    this.index(bp, true);
    return bp;
  }

  get(id: number): Breakpoint | undefined {
    return this.all.get(id);
  }

  list(): Breakpoint[] {
    return [...this.all.values()];
  }

  remove(id: number): boolean {
    const bp = this.all.get(id);
    if (!bp) return false;
    this.setEnabled(id, false);
    this.all.delete(id);
    this.version++;
    return true;
  }

  setEnabled(id: number, on: boolean): boolean {
    const bp = this.all.get(id);
    if (!bp) return false;
    if (bp.enabled !== on) {
      this.index(bp, false);
      bp.enabled = on;
      this.index(bp, true);
    }
    return true;
  }

  resetHits(id?: number): void {
    for (const bp of this.all.values()) if (id === undefined || bp.id === id) bp.hits = 0;
  }

  /** Enabled breakpoints of a kind. */
  enabled<K extends BreakpointKind>(kind: K): Array<Breakpoint & { spec: Extract<BreakpointSpec, { kind: K }> }> {
    const out: Array<Breakpoint & { spec: Extract<BreakpointSpec, { kind: K }> }> = [];
    for (const bp of this.all.values()) if (bp.enabled && bp.spec.kind === kind) out.push(bp as Breakpoint & { spec: Extract<BreakpointSpec, { kind: K }> });
    return out;
  }

  /** Matching enabled #VMEXIT breakpoints. */
  matchExit(code: number, asid: number): Breakpoint[] {
    return this.enabled('vmexit').filter((b) => (b.spec.exitCode === undefined || b.spec.exitCode === code) && (b.spec.asid === undefined || b.spec.asid === asid));
  }

  matchEntry(asid: number): Breakpoint[] {
    return this.enabled('guest-entry').filter((b) => b.spec.asid === undefined || b.spec.asid === asid);
  }

  matchIo(port: number, write: boolean): Breakpoint[] {
    return this.enabled('io').filter((b) => {
      const s = b.spec;
      const acc = s.access ?? 'any';
      return port >= s.port && port <= (s.last ?? s.port) && (acc === 'any' || (acc === 'out') === write);
    });
  }

  matchWrite(pa: number, size: number): Breakpoint[] {
    return this.enabled('write').filter((b) => pa < b.spec.pa + (b.spec.length ?? 1) && pa + size > b.spec.pa);
  }

  /** Physical pages that enabled write breakpoints cover. */
  watchedPages(): Set<number> {
    const pages = new Set<number>();
    for (const b of this.enabled('write')) {
      const end = b.spec.pa + Math.max(1, b.spec.length ?? 1) - 1;
      for (let p = Math.floor(b.spec.pa / 4096); p <= Math.floor(end / 4096); p++) pages.add(p);
    }
    return pages;
  }

  private index(bp: Breakpoint, add: boolean): void {
    this.version++;
    if (!bp.enabled) return;
    const kind = bp.spec.kind;
    this.enabledCount[kind] += add ? 1 : -1;
    if (kind !== 'address' || bp.address === undefined) return;
    const list = this.byAddress.get(bp.address) ?? [];
    if (add) list.push(bp);
    else list.splice(list.indexOf(bp), 1);
    if (list.length > 0) this.byAddress.set(bp.address, list);
    else this.byAddress.delete(bp.address);
  }
}

function label(spec: BreakpointSpec, r?: { address: number; world: WorldFilter; name?: string }): string {
  switch (spec.kind) {
    case 'vmexit':
      return `vmexit ${spec.exitCode === undefined ? 'any' : exitName(spec.exitCode)}${spec.asid === undefined ? '' : ` asid ${spec.asid}`}`;
    case 'guest-entry':
      return `guest entry${spec.asid === undefined ? '' : ` asid ${spec.asid}`}`;
    case 'address':
      return `address ${r ? hexAddr(r.address) : String(spec.at)}${r?.name ? ` (${r.name})` : ''} ${r ? filterName(r.world) : ''}`.trim();
    case 'io': {
      const last = spec.last ?? spec.port;
      const ports = last === spec.port ? `0x${spec.port.toString(16)}` : `0x${spec.port.toString(16)}-0x${last.toString(16)}`;
      return `io ${spec.access ?? 'any'} ${ports}`;
    }
    case 'write':
      return `write 0x${spec.pa.toString(16)}+${spec.length ?? 1}`;
  }
}
