// The switch-lag experiment's warm-up (switch-lag.ts, warmUpSwitchLag): slice-end switches run
// first at a low clock, unmeasured, so that V8 has compiled the once-per-switch path before any
// clock is measured. Apart from switch-lag.ts so the page can name them without the Machine.
export const WARMUP_SWITCHES = 2000;
export const WARMUP_MHZ = 2;
