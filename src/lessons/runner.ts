// Runs a lesson on a LabSession, headless: applies each step's action, reads
// the probes its expectations and question name, and checks students' answers.
// The machine is deterministic, so going back to a step is replaying the
// lesson from its start up to that step.
import type { LabSession } from '../worker/session';
import { cpuidLookup, CPUID81_ECX } from '../emu/cpu/cpuid';
import { answerMatches, type Lesson, type LessonStep, type StateProbe } from './lesson';

/** The bound on one 'run' action: 4 simulated seconds at 2 GHz. */
export const RUN_BUDGET_CYCLES = 8e9;

export class LessonRunner {
  /** Index of the step whose action ran last (-1: not started). */
  at = -1;

  constructor(readonly session: LabSession, readonly lesson: Lesson) {}

  /** Boot the lesson's setup and run steps 1..n (replay: the same states every time). */
  async goTo(n: number): Promise<void> {
    await this.session.boot(this.lesson.setup);
    this.at = -1;
    for (let k = 0; k <= n && k < this.lesson.steps.length; k++) await this.apply(k);
  }

  async apply(k: number): Promise<void> {
    const step = this.lesson.steps[k]!;
    const s = this.session;
    const a = step.action;
    switch (a.do) {
      case 'boot': await s.boot(this.lesson.setup); break;
      case 'break':
        if (a.only) s.clearBreakpoints();
        s.addBreakpoint(a.breakpoint);
        break;
      case 'clear-breakpoints': s.clearBreakpoints(); break;
      case 'run': s.runCycles(RUN_BUDGET_CYCLES); break;
      case 'step': s.step('count', a.count ?? 1); break;
      case 'step-over': s.step('over'); break;
      case 'run-to-switch': s.step('switch'); break;
      case 'none': break;
    }
    this.at = k;
  }

  /** Read a probe from the machine now. */
  probe(p: StateProbe): string {
    const s = this.session;
    const m = s.machine;
    if (!m) throw new Error('nothing is booted');
    switch (p.read) {
      case 'world': return s.snapshot().worldName;
      case 'last-exit': case 'last-exit-asid': {
        const ev = [...s.debugger!.log.entries()].reverse().find((e) => e.kind === 'vmexit');
        if (!ev) return '';
        return p.read === 'last-exit' ? ev.exitName ?? '' : String(ev.asid);
      }
      case 'last-io-port': {
        const ev = [...s.debugger!.log.entries()].reverse().find((e) => e.kind === 'vmexit' && e.exitName === 'IOIO');
        return ev ? '0x' + Number((BigInt(ev.exitInfo1!) >> 16n) & 0xffffn).toString(16) : '';
      }
      case 'vmcb': {
        const f = s.vmcb(p.asid)?.find((x) => x.name === p.field);
        if (!f) return '';
        return p.as === 'decoded' ? f.decoded : f.value;
      }
      case 'register': return s.snapshot().registers[p.name] ?? '';
      case 'stop-reason': return s.stopReason;
      case 'hpa': return s.pageWalk(p.asid, Number(BigInt(p.va))).hpa ?? '';
      case 'memory': {
        const b = s.readMemory(p.space, Number(BigInt(p.address)), p.length, p.asid);
        return b ? Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ') : '';
      }
      case 'serial-contains': return m.serial().includes(p.text) ? 'yes' : 'no';
      case 'cpuid-svm': return cpuidLookup(m.cpu.model, 0x80000001, 0)[2] & CPUID81_ECX.SVM ? 'yes' : 'no';
    }
  }

  /** The expectations of a step that do not hold now ('' when all do). */
  mismatches(step: LessonStep): string[] {
    return (step.expect ?? []).flatMap((e) => {
      const got = this.probe(e.probe);
      return answerMatches(got, e.equals) ? [] : [`${JSON.stringify(e.probe)} is '${got}', the lesson expects '${e.equals}'`];
    });
  }

  /** Check a student's answer to the current step's question. */
  check(step: LessonStep, given: string): { correct: boolean; truth: string } {
    if (!step.question) throw new Error(`step '${step.title}' has no question`);
    const truth = this.probe(step.question.answer);
    return { correct: truth !== '' && answerMatches(given, truth), truth };
  }
}
