// The paper's Table 5 (Kalady et al., section 4.2): processor, clock and the switch
// lag they read from SimNow's host seconds. Its own module so the page can show it
// beside our figures without bundling the experiment.
export const PAPER_TABLE_5 = [
  { processor: 'AMD x2 Turion', mhz: 1600, lagMs: 89 },
  { processor: 'AMD x2 3800+', mhz: 2000, lagMs: 79 },
  { processor: 'AMD x2 4400+', mhz: 2200, lagMs: 75 },
] as const;
