// The C benchmark workloads (guests/bench, built into public/images) and the
// results their native builds print. Shared by the bench command, the tests
// and the page.
export interface Workload {
  name: string;
  image: string;
  /** bench_main()'s result on the host CPU (make -C guests native), for checking. */
  expected: bigint;
}

export const WORKLOADS: readonly Workload[] = [
  { name: 'sieve', image: 'bench-sieve.elf', expected: 7402605875813512385n },
  { name: 'sort', image: 'bench-sort.elf', expected: 4292158106155573019n },
  { name: 'checksum', image: 'bench-checksum.elf', expected: 3902167225124051303n },
  { name: 'format', image: 'bench-format.elf', expected: 696926198060828697n },
];
