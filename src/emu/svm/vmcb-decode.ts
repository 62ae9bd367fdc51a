// A VMCB decoded for people: every field of the one VMCB table (vmcb.ts) with
// its value, its one-line meaning, and where a field packs several things, what
// they are (intercept names, the exit code's name, EXITINFO for I/O and nested
// page faults, event fields, segment attributes, EFER/CR0/CR4 bits). Used by
// the worker for the inspector and by `pacifica` output; 64-bit values travel
// as hex strings.
import type { PhysMem } from '../mem/phys';
import { VMCB_FIELDS, type VmcbField } from './vmcb';
import { exitName, VMEXIT } from './exitcodes';
import { interceptNames } from './intercepts';
import { EFER, CR0, CR4 } from '../cpu/msr';

export interface DecodedField {
  name: string;
  offset: number;
  size: number;
  area: 'control' | 'save';
  /** 0x-prefixed hex, zero-padded to the field's width. */
  value: string;
  doc: string;
  /** What the value means, when it packs something ('' otherwise). */
  decoded: string;
}

function readField(mem: PhysMem, pa: number, f: VmcbField): bigint {
  let v = 0n;
  for (let k = f.size - 1; k >= 0; k--) v = (v << 8n) | BigInt(mem.read8(pa + f.offset + k));
  return v;
}

const bitNames = (v: number, table: Readonly<Record<string, number>>) =>
  Object.entries(table).filter(([, b]) => (v & b) !== 0).map(([k]) => k).join(' ');

const EVENT_TYPES = ['INTR', 'reserved', 'NMI', 'exception', 'software int', 'reserved', 'reserved', 'reserved'];

/** An EVENTINJ / EXITINTINFO value: "valid, exception 14 (error code 0x2)". */
export function decodeEvent(v: bigint): string {
  const lo = Number(v & 0xffffffffn);
  if (!(lo & 0x80000000)) return 'none';
  const err = lo & (1 << 11) ? `, error code 0x${(v >> 32n).toString(16)}` : '';
  return `${EVENT_TYPES[(lo >>> 8) & 7]} vector ${lo & 0xff}${err}`;
}

/** IOIO EXITINFO1 (APM §15.10.2). */
export function decodeIoInfo(v: number): string {
  const size = v & 0x10 ? 1 : v & 0x20 ? 2 : 4;
  const asz = v & 0x80 ? 16 : v & 0x100 ? 32 : v & 0x200 ? 64 : 0;
  return `${v & 1 ? 'IN' : 'OUT'} port 0x${(v >>> 16).toString(16)}, ${size} byte(s)${v & 4 ? ', string' : ''}${v & 8 ? ', REP' : ''}${asz ? `, a${asz}` : ''}`;
}

/** NPF EXITINFO1: the #PF-style error bits and whether the fault was on the final translation or a guest table. */
export function decodeNpfInfo(v: bigint): string {
  const lo = Number(v & 0xffffffffn);
  const parts = [lo & 1 ? 'protection' : 'not present', lo & 2 ? 'write' : 'read', lo & 4 ? 'user' : 'supervisor'];
  if (lo & 8) parts.push('reserved bit');
  if (lo & 16) parts.push('instruction fetch');
  if (v & (1n << 32n)) parts.push('final translation');
  if (v & (1n << 33n)) parts.push('guest page-table walk');
  return parts.join(', ');
}

function decodeAttr(a: number): string {
  const type = a & 0xf, s = (a >> 4) & 1, dpl = (a >> 5) & 3, p = (a >> 7) & 1, l = (a >> 9) & 1, db = (a >> 10) & 1, g = (a >> 11) & 1;
  const kind = s ? (type & 8 ? `code${type & 2 ? ' R' : ''}${type & 4 ? ' C' : ''}` : `data${type & 2 ? ' W' : ''}${type & 4 ? ' E' : ''}`) : `system type ${type}`;
  return `${kind}, DPL ${dpl}${p ? ', P' : ', not present'}${l ? ', L' : ''}${db ? ', D/B' : ''}${g ? ', G' : ''}`;
}

function decodeOne(f: VmcbField, v: bigint, all: Map<string, bigint>): string {
  const n = Number(v & 0xffffffffn);
  switch (f.name) {
    case 'intercept_misc1': return interceptNames(n, 0).join(' ');
    case 'intercept_misc2': return interceptNames(0, n).join(' ');
    case 'intercept_cr': {
      const r = [...Array(16).keys()].filter((k) => (n >>> k) & 1).map((k) => `CR${k}r`);
      const w = [...Array(16).keys()].filter((k) => (n >>> (16 + k)) & 1).map((k) => `CR${k}w`);
      return [...r, ...w].join(' ');
    }
    case 'intercept_dr': {
      const r = [...Array(16).keys()].filter((k) => (n >>> k) & 1).map((k) => `DR${k}r`);
      const w = [...Array(16).keys()].filter((k) => (n >>> (16 + k)) & 1).map((k) => `DR${k}w`);
      return [...r, ...w].join(' ');
    }
    case 'intercept_exceptions': return [...Array(32).keys()].filter((k) => (n >>> k) & 1).map((k) => exitName(VMEXIT.EXCP_BASE + k).slice(5)).join(' ');
    case 'exitcode': return v === 0xffffffffffffffffn ? 'INVALID' : exitName(n);
    case 'exitinfo1': {
      const code = Number((all.get('exitcode') ?? 0n) & 0xffffffffn);
      if (code === VMEXIT.IOIO) return decodeIoInfo(n);
      if (code === VMEXIT.NPF) return decodeNpfInfo(v);
      if (code === VMEXIT.MSR) return n ? 'WRMSR' : 'RDMSR';
      return '';
    }
    case 'exitinfo2': {
      const code = Number((all.get('exitcode') ?? 0n) & 0xffffffffn);
      if (code === VMEXIT.IOIO) return 'next RIP';
      if (code === VMEXIT.NPF) return 'faulting guest-physical address';
      if (code === VMEXIT.EXCP_BASE + 14) return 'faulting address';
      return '';
    }
    case 'exitintinfo': case 'eventinj': return decodeEvent(v);
    case 'v_intr': {
      const parts = [`V_TPR ${n & 0xf}`];
      if (n & (1 << 8)) parts.push('V_IRQ');
      if (n & (1 << 9)) parts.push('V_GIF');
      parts.push(`prio ${(n >>> 16) & 0xf}`);
      if (n & (1 << 20)) parts.push('V_IGN_TPR');
      if (n & (1 << 24)) parts.push('V_INTR_MASKING');
      if (n & (1 << 25)) parts.push('V_GIF_ENABLE');
      parts.push(`vector 0x${Number((v >> 32n) & 0xffn).toString(16)}`);
      return parts.join(', ');
    }
    case 'tlb_control': return ['none', 'flush all', '', 'flush this ASID', '', '', '', 'flush this ASID (non-global)'][n] ?? 'reserved';
    case 'np_enable': return n & 1 ? 'nested paging on' : 'off';
    case 'interrupt_shadow': return `${n & 1 ? 'in shadow' : 'no shadow'}${n & 2 ? ', guest IF=1' : ''}`;
    case 'efer': return bitNames(n, EFER);
    case 'cr0': return bitNames(n, CR0);
    case 'cr4': return bitNames(n, CR4);
  }
  if (f.name.endsWith('.attrib')) return decodeAttr(n);
  return '';
}

/** Every field of the VMCB at physical address `pa`. */
export function decodeVmcb(mem: PhysMem, pa: number): DecodedField[] {
  const values = new Map(VMCB_FIELDS.map((f) => [f.name, readField(mem, pa, f)]));
  return VMCB_FIELDS.map((f) => {
    const v = values.get(f.name)!;
    return {
      name: f.name, offset: f.offset, size: f.size, area: f.area, doc: f.doc,
      value: '0x' + v.toString(16).padStart(f.size * 2, '0'),
      decoded: decodeOne(f, v, values),
    };
  });
}
