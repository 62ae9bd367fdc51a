// The lab's setup in the query string, so a teacher can share a link:
//   ?cpu=zen&mhz=2000&hv=hvmm.elf+log%3Dswitches+slice%3D10
//    &g=g-dummy.elf+name%3Ddummy+count%3D12&g=g-hcall.elf+name%3Dhcall      (one g per VM, in order)
//    &bp=vmexit:INTR@1&bp=entry@2&bp=addr:vm_boot&bp=io:0x3f8&bp=write:0xb8000+4000&bp=-entry
// g and hv are multiboot command lines whose first word is the image under /images.
// A bp token is KIND[:ARG][@ASID]; a leading "-" marks a disabled breakpoint.
// engine=interp|jit chooses the interpreter or the block compiler (absent: the CPU's default).
import type { BreakpointRequest } from '../../worker/protocol';
import { DEFAULT_SETUP } from '../../emu/machine/default-setup';
import { VMEXIT, exitName } from '../../emu/svm/exitcodes';

export interface LabSetup {
  /** Hypervisor command line (first word: image). */
  hv: string;
  /** One command line per guest (first word: image). */
  guests: string[];
  /** CPU model with switches, e.g. "zen", "k8", "zen,-NP". */
  cpu: string;
  mhz: number;
  /** The engine (absent: the CPU's default): the interpreter or the block compiler. */
  engine?: 'interp' | 'jit';
}

export interface SavedBreakpoint {
  req: BreakpointRequest;
  enabled: boolean;
}

export const DEFAULT_LAB: LabSetup = {
  hv: DEFAULT_SETUP.hypervisor.cmdline,
  guests: DEFAULT_SETUP.guests.map((g) => g.cmdline),
  cpu: 'zen',
  mhz: 2000,
};

export const imageOf = (cmdline: string): string => cmdline.trim().split(/\s+/)[0] ?? '';

/** An exit code from a name ("INTR", "VMMCALL", "EXCP_PF") or a number ("0x60", "96"). */
export function parseExitCode(s: string): number | undefined {
  const t = s.trim().toUpperCase().replace(/^VMEXIT_/, '');
  if (t in VMEXIT) return VMEXIT[t as keyof typeof VMEXIT];
  if (/^(0X[0-9A-F]+|\d+|-1)$/.test(t)) return Number(t.toLowerCase());
  for (let c = 0; c < 0x40; c++) if (exitName(c + 0x40) === t || exitName(c) === t) return exitName(c + 0x40) === t ? c + 0x40 : c;
  return undefined;
}

const num = (s: string): number => Number(s.trim());

export function bpToToken(b: SavedBreakpoint): string {
  const r = b.req;
  let t: string;
  switch (r.kind) {
    case 'vmexit': t = 'vmexit' + (r.exitCode !== undefined ? ':' + exitName(r.exitCode) : '') + (r.asid !== undefined ? '@' + r.asid : ''); break;
    case 'guest-entry': t = 'entry' + (r.asid !== undefined ? '@' + r.asid : ''); break;
    case 'address': t = 'addr:' + r.at + (r.world !== undefined && r.world !== 'any' ? '@' + r.world : ''); break;
    case 'io': t = 'io:0x' + r.port.toString(16); break;
    case 'write': t = 'write:0x' + r.pa.toString(16) + (r.length !== undefined ? '+' + r.length : ''); break;
  }
  return (b.enabled ? '' : '-') + t;
}

export function tokenToBp(token: string): SavedBreakpoint | undefined {
  let t = token.trim();
  const enabled = !t.startsWith('-');
  if (!enabled) t = t.slice(1);
  const at = t.lastIndexOf('@');
  const asidText = at >= 0 ? t.slice(at + 1) : undefined;
  if (at >= 0) t = t.slice(0, at);
  const colon = t.indexOf(':');
  const kind = colon >= 0 ? t.slice(0, colon) : t;
  const arg = colon >= 0 ? t.slice(colon + 1) : '';
  const asid = asidText !== undefined && /^\d+$/.test(asidText) ? Number(asidText) : undefined;
  let req: BreakpointRequest | undefined;
  if (kind === 'vmexit') {
    const code = arg ? parseExitCode(arg) : undefined;
    if (arg && code === undefined) return undefined;
    req = { kind: 'vmexit', ...(code !== undefined ? { exitCode: code } : {}), ...(asid !== undefined ? { asid } : {}) };
  } else if (kind === 'entry') {
    req = { kind: 'guest-entry', ...(asid !== undefined ? { asid } : {}) };
  } else if (kind === 'addr' && arg) {
    const world = asidText === 'guest' ? 'guest' : asid;
    req = { kind: 'address', at: arg, ...(world !== undefined ? { world } : {}) };
  } else if (kind === 'io' && arg && Number.isFinite(num(arg))) {
    req = { kind: 'io', port: num(arg) };
  } else if (kind === 'write' && arg) {
    const [pa, len] = arg.split('+');
    if (!Number.isFinite(num(pa ?? ''))) return undefined;
    req = { kind: 'write', pa: num(pa!), ...(len ? { length: num(len) } : {}) };
  }
  return req ? { req, enabled } : undefined;
}

export function setupToQuery(s: LabSetup, bps: SavedBreakpoint[]): string {
  const q = new URLSearchParams();
  q.set('cpu', s.cpu);
  q.set('mhz', String(s.mhz));
  if (s.engine) q.set('engine', s.engine);
  if (s.hv !== DEFAULT_LAB.hv) q.set('hv', s.hv);
  for (const g of s.guests) q.append('g', g);
  for (const b of bps) q.append('bp', bpToToken(b));
  return '?' + q.toString();
}

/** The setup a query string describes (defaults for what it leaves out), and its breakpoints. */
export function queryToSetup(search: string): { setup: LabSetup; breakpoints: SavedBreakpoint[]; warnings: string[] } {
  const q = new URLSearchParams(search);
  const warnings: string[] = [];
  const mhzText = q.get('mhz');
  const mhz = mhzText !== null && Number(mhzText) > 0 ? Number(mhzText) : DEFAULT_LAB.mhz;
  if (mhzText !== null && !(Number(mhzText) > 0)) warnings.push(`ignored mhz=${mhzText}`);
  const guests = q.getAll('g').map((g) => g.trim()).filter((g) => g.length > 0);
  const engine = q.get('engine');
  if (engine !== null && engine !== 'interp' && engine !== 'jit') warnings.push(`ignored engine=${engine} (interp or jit)`);
  const breakpoints: SavedBreakpoint[] = [];
  for (const t of q.getAll('bp')) {
    const b = tokenToBp(t);
    if (b) breakpoints.push(b);
    else warnings.push(`ignored breakpoint '${t}'`);
  }
  return {
    setup: {
      cpu: q.get('cpu')?.trim() || DEFAULT_LAB.cpu,
      mhz,
      hv: q.get('hv')?.trim() || DEFAULT_LAB.hv,
      guests: q.has('g') ? guests : DEFAULT_LAB.guests,
      ...(engine === 'interp' || engine === 'jit' ? { engine } : {}),
    },
    breakpoints,
    warnings,
  };
}
