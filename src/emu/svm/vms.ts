// What the debugger knows about the guests the hypervisor runs: every ASID
// that VMRUN has entered, its VMCB and nested table root, and its world-switch
// counts by exit code. The CPU updates it at VMRUN and #VMEXIT (a Map lookup
// per world switch); nothing here affects execution.
export interface VmRecord {
  asid: number;
  /** Host-physical address of its VMCB (the latest one VMRUN used with this ASID). */
  vmcb: number;
  np: boolean;
  nCr3: number;
  runs: number;
  exits: number;
  /** #VMEXITs by exit code. */
  exitCounts: Map<number, number>;
}

export class VmTable {
  readonly byAsid = new Map<number, VmRecord>();
  /** The record of the guest running now (null in the host). */
  current: VmRecord | null = null;

  entered(asid: number, vmcb: number, np: boolean, nCr3: number): void {
    let v = this.byAsid.get(asid);
    if (!v) {
      v = { asid, vmcb, np, nCr3, runs: 0, exits: 0, exitCounts: new Map() };
      this.byAsid.set(asid, v);
    }
    v.vmcb = vmcb;
    v.np = np;
    v.nCr3 = nCr3;
    v.runs++;
    this.current = v;
  }

  exited(code: number): void {
    const v = this.current;
    if (v) {
      v.exits++;
      v.exitCounts.set(code, (v.exitCounts.get(code) ?? 0) + 1);
    }
    this.current = null;
  }

  clear(): void {
    this.byAsid.clear();
    this.current = null;
  }
}
