import { useEffect } from 'react';
import { useLab } from './labStore';
import { Toolbar } from './Toolbar';
import { SetupBar } from './SetupBar';
import { StatusBanner } from './StatusBanner';
import { Clocks } from './Clocks';
import { Screens, SerialConsole } from './Consoles';
import { VmcbInspector } from './VmcbInspector';
import { RegistersView } from './RegistersView';
import { DisassemblyView } from './DisassemblyView';
import { MemoryView } from './MemoryView';
import { PageWalkView } from './PageWalkView';
import { BreakpointsPanel } from './BreakpointsPanel';
import { Timeline } from './Timeline';
import { ExperimentPanel } from './ExperimentPanel';
import { LessonPanel } from './LessonPanel';
import { BenchPanel } from './BenchPanel';
import { useBench } from './benchStore';

export function App() {
  useEffect(() => {
    // Read the flags now: once booted, the lab rewrites the URL to its setup.
    const search = location.search;
    void useLab.getState().init(search).then(() => useBench.getState().fromUrl(search));
  }, []);

  return (
    <div className="app"
      onDragOver={(e) => { if (e.dataTransfer.types.includes('Files')) e.preventDefault(); }}
      onDrop={(e) => { if (e.dataTransfer.files.length) { e.preventDefault(); void useLab.getState().dropFiles([...e.dataTransfer.files]); } }}>
      <header className="sticky">
        <div className="title">
          <h1>Pacifica — x86-64 + AMD SVM lab</h1>
          <p className="muted">The HVMM (Kalady et al.) on an emulated AMD CPU: guests in their own VMs, scheduled round robin.</p>
        </div>
        <Toolbar />
        <StatusBanner />
        <Clocks />
      </header>
      <main>
        <LessonPanel />
        <SetupBar />
        <div className="grid two wide-right">
          <BreakpointsPanel />
          <Timeline />
        </div>
        <Screens />
        <SerialConsole />
        <div className="grid two">
          <RegistersView />
          <DisassemblyView />
        </div>
        <VmcbInspector />
        <div className="grid two">
          <MemoryView />
          <PageWalkView />
        </div>
        <ExperimentPanel />
        <BenchPanel />
      </main>
    </div>
  );
}
