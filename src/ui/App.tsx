import { useEffect } from 'react';
import { useCore } from './store';
import { Toolbar } from './Toolbar';
import { CorePanel } from './CorePanel';
import { CoreStatusPanel } from './CoreStatusPanel';

export function App() {
  useEffect(() => {
    void useCore.getState().init();
  }, []);

  return (
    <div className="app">
      <header>
        <h1>Pacifica — x86-64 + AMD SVM lab</h1>
        <p className="muted">
          A bare-metal hypervisor running on an x86-64 CPU emulated in TypeScript.
        </p>
      </header>
      <main>
        <Toolbar />
        <CorePanel />
        <CoreStatusPanel />
      </main>
    </div>
  );
}
