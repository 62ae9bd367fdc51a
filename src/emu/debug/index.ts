// The headless debugger engine (DESIGN.md, "The debugger"): one Debugger per Machine.
export { Debugger, DEFAULT_BUDGET, type DebugStop, type DebugStopReason, type Hit } from './debugger';
export { BreakpointTable, type Breakpoint, type BreakpointSpec, type BreakpointKind, type WorldFilter } from './breakpoints';
export { EventLog, type SwitchEvent } from './events';
export { SymbolTable, type SymbolWorld, type ResolvedSymbol } from './symbols';
export { disassemble, type DisasmLine, type IcedModule } from './disasm';
export { HOST, currentWorld, ripLinear, worldName, hexAddr, toAddr } from './world';
