import { it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Machine } from '/work/main/src/emu/machine/machine';
import { parseElf } from '/work/main/src/emu/machine/elf';
it('probe', () => {
  for (const [img, cmd] of [['svm-tests.elf','svm-tests.elf'],['skeletal.elf','skeletal.elf skeletal name=x ticks=3']]) {
    const bytes = readFileSync('/work/main/public/images/'+img);
    const m = new Machine();
    m.bootMultiboot(bytes, { cmdline: cmd });
    const t = performance.now();
    const stop = m.run(2e10);
    console.log(img, JSON.stringify(stop), m.cpu.instructions, m.cpu.cycles, m.cpu.svm.vmruns, m.cpu.svm.exits, performance.now()-t);
    const e = parseElf(bytes);
    console.log(e.elfClass, e.symbols.filter(s=>s.typeName==='func').map(s=>s.name+'@'+s.value.toString(16)).join(' '));
    console.log(m.serial().slice(-500));
  }
});
