// The lab's default setup, used by `pacifica run` without arguments and by the
// page: the HVMM with four guests, one of each kind (guests/g-*), the way a
// class first sees it. Image names are files under public/images.
export interface GuestSpec {
  image: string;
  /** The module's command line as GRUB would pass it: the file name, then options. */
  cmdline: string;
}

export interface LabSetup {
  hypervisor: { image: string; cmdline: string };
  guests: GuestSpec[];
}

export const DEFAULT_SETUP: LabSetup = {
  hypervisor: { image: 'hvmm.elf', cmdline: 'hvmm.elf log=switches slice=10' },
  guests: [
    { image: 'g-dummy.elf', cmdline: 'g-dummy.elf name=dummy count=12' },
    { image: 'g-hcall.elf', cmdline: 'g-hcall.elf name=hcall' },
    { image: 'g-serial.elf', cmdline: 'g-serial.elf name=serial count=6' },
    { image: 'g-crash.elf', cmdline: 'g-crash.elf name=crash mode=npf after=3' },
  ],
};

/**
 * The default setup with the dummy guest printing without end: the lab keeps running (the
 * default guests finish within ~2 s of wall time, the HVMM then leaves through the debug-exit
 * port). The benchmark's sustained run and its page-live run use it.
 */
export function endlessGuests(setup: LabSetup = DEFAULT_SETUP): GuestSpec[] {
  return setup.guests.map((g) => (g.image === 'g-dummy.elf' ? { ...g, cmdline: g.cmdline.replace(/count=\d+/, 'count=1000000') } : g));
}
