// The VMCB layout (APM Vol 2, Appendix B): one table of fields, with offset,
// width and a one-line explanation, shared by the CPU's VMRUN/#VMEXIT, the
// inspector and the docs. The VMCB is one 4 KiB page: the control area at
// 0x000 and the state-save area at 0x400.
export const VMCB_SIZE = 0x1000;
export const VMCB_SAVE_AREA = 0x400;

export type VmcbArea = 'control' | 'save';

export interface VmcbField {
  name: string;
  offset: number;
  /** Width in bytes. */
  size: 1 | 2 | 4 | 8;
  area: VmcbArea;
  doc: string;
}

const f = (name: string, offset: number, size: VmcbField['size'], doc: string): VmcbField => ({
  name, offset, size, area: offset < VMCB_SAVE_AREA ? 'control' : 'save', doc,
});

/** A segment in the state-save area: selector, attributes, limit, base (16 bytes). */
function segment(name: string, offset: number, what: string): VmcbField[] {
  return [
    f(`${name}.selector`, offset, 2, `${what}: selector`),
    f(`${name}.attrib`, offset + 2, 2, `${what}: attributes (type, S, DPL, P, AVL, L, D/B, G)`),
    f(`${name}.limit`, offset + 4, 4, `${what}: limit, expanded to bytes`),
    f(`${name}.base`, offset + 8, 8, `${what}: base address`),
  ];
}

export const VMCB_FIELDS: readonly VmcbField[] = [
  // Control area
  f('intercept_cr', 0x000, 4, 'CR reads (bits 0-15) and writes (bits 16-31) that exit'),
  f('intercept_dr', 0x004, 4, 'DR reads (bits 0-15) and writes (bits 16-31) that exit'),
  f('intercept_exceptions', 0x008, 4, 'exception vectors that exit, one bit each'),
  f('intercept_misc1', 0x00c, 4, 'INTR, NMI, ..., HLT, IOIO, MSR, SHUTDOWN intercepts (intercepts.ts)'),
  f('intercept_misc2', 0x010, 4, 'VMRUN, VMMCALL, VMLOAD, VMSAVE, STGI, CLGI, ... intercepts'),
  f('pause_filter_threshold', 0x03c, 2, 'PAUSE filter threshold'),
  f('pause_filter_count', 0x03e, 2, 'PAUSE filter count'),
  f('iopm_base_pa', 0x040, 8, 'physical address of the I/O permission map (12 KiB)'),
  f('msrpm_base_pa', 0x048, 8, 'physical address of the MSR permission map (8 KiB)'),
  f('tsc_offset', 0x050, 8, 'added to the TSC the guest reads'),
  f('guest_asid', 0x058, 4, 'address-space ID tagging the guest\'s TLB entries (not 0)'),
  f('tlb_control', 0x05c, 1, 'TLB flush on VMRUN: 0 none, 1 all, 3 this ASID, 7 this ASID non-global'),
  f('v_intr', 0x060, 8, 'virtual interrupts: V_TPR, V_IRQ (bit 8), V_INTR_PRIO, V_IGN_TPR, V_INTR_MASKING (bit 24), V_INTR_VECTOR (bits 32-39)'),
  f('interrupt_shadow', 0x068, 8, 'bit 0: the guest is in an interrupt shadow'),
  f('exitcode', 0x070, 8, 'why the guest exited (exitcodes.ts); -1 for VMEXIT_INVALID'),
  f('exitinfo1', 0x078, 8, 'exit-specific information (e.g. IOIO port/size/type, #PF error code)'),
  f('exitinfo2', 0x080, 8, 'exit-specific information (e.g. next RIP for IOIO, #PF address)'),
  f('exitintinfo', 0x088, 8, 'an event that was being delivered when the exit happened'),
  f('np_enable', 0x090, 8, 'bit 0: nested paging on'),
  f('eventinj', 0x0a8, 8, 'an event to inject on VMRUN: vector, type, error code valid, valid'),
  f('n_cr3', 0x0b0, 8, 'nested page table root (host-physical) for nested paging'),
  f('lbr_virt', 0x0b8, 8, 'LBR virtualization / virtual VMSAVE-VMLOAD enables'),
  f('vmcb_clean', 0x0c0, 4, 'fields unchanged since the last VMRUN (may be cached)'),
  f('next_rip', 0x0c8, 8, 'RIP of the instruction after the one that exited (NRIPS)'),
  f('guest_insn_len', 0x0d0, 1, 'number of instruction bytes fetched (decode assists)'),
  f('guest_insn_bytes', 0x0d1, 1, 'the first of 15 bytes (0x0D1-0x0DF) of the instruction that faulted (decode assists, #PF and NPF exits)'),
  // State-save area
  ...segment('es', 0x400, 'ES'),
  ...segment('cs', 0x410, 'CS'),
  ...segment('ss', 0x420, 'SS'),
  ...segment('ds', 0x430, 'DS'),
  ...segment('fs', 0x440, 'FS'),
  ...segment('gs', 0x450, 'GS'),
  ...segment('gdtr', 0x460, 'GDTR (base and limit only)'),
  ...segment('ldtr', 0x470, 'LDTR'),
  ...segment('idtr', 0x480, 'IDTR (base and limit only)'),
  ...segment('tr', 0x490, 'TR'),
  f('cpl', 0x4cb, 1, 'current privilege level'),
  f('efer', 0x4d0, 8, 'EFER (SVME must be set)'),
  f('cr4', 0x548, 8, 'CR4'),
  f('cr3', 0x550, 8, 'CR3 (guest page-table root)'),
  f('cr0', 0x558, 8, 'CR0'),
  f('dr7', 0x560, 8, 'DR7'),
  f('dr6', 0x568, 8, 'DR6'),
  f('rflags', 0x570, 8, 'RFLAGS'),
  f('rip', 0x578, 8, 'RIP'),
  f('rsp', 0x5d8, 8, 'RSP'),
  f('rax', 0x5f8, 8, 'RAX (the only GPR besides RSP that VMRUN loads)'),
  f('star', 0x600, 8, 'STAR (VMLOAD/VMSAVE)'),
  f('lstar', 0x608, 8, 'LSTAR (VMLOAD/VMSAVE)'),
  f('cstar', 0x610, 8, 'CSTAR (VMLOAD/VMSAVE)'),
  f('sfmask', 0x618, 8, 'SFMASK (VMLOAD/VMSAVE)'),
  f('kernel_gs_base', 0x620, 8, 'KernelGSbase (VMLOAD/VMSAVE)'),
  f('sysenter_cs', 0x628, 8, 'SYSENTER_CS (VMLOAD/VMSAVE)'),
  f('sysenter_esp', 0x630, 8, 'SYSENTER_ESP (VMLOAD/VMSAVE)'),
  f('sysenter_eip', 0x638, 8, 'SYSENTER_EIP (VMLOAD/VMSAVE)'),
  f('cr2', 0x640, 8, 'CR2'),
  f('g_pat', 0x668, 8, 'guest PAT (nested paging)'),
  f('dbgctl', 0x670, 8, 'DBGCTL MSR'),
  f('br_from', 0x678, 8, 'last branch from'),
  f('br_to', 0x680, 8, 'last branch to'),
  f('last_excp_from', 0x688, 8, 'last exception from'),
  f('last_excp_to', 0x690, 8, 'last exception to'),
];

const byName = new Map(VMCB_FIELDS.map((x) => [x.name, x]));

/** The field called `name` (e.g. 'exitcode', 'cs.attrib'); throws for a typo. */
export function vmcbField(name: string): VmcbField {
  const x = byName.get(name);
  if (!x) throw new Error(`no VMCB field '${name}'`);
  return x;
}
