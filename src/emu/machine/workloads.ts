// The C benchmark workloads (guests/bench, built into public/images) and the
// results their native builds print. Shared by the bench command, the tests
// and the page.
export interface Workload {
  name: string;
  /** One-line description for the page's workload select. */
  title: string;
  image: string;
  /** bench_main()'s result on the host CPU (make -C guests native), for checking. */
  expected: bigint;
}

export const WORKLOADS: readonly Workload[] = [
  { name: 'sieve', title: 'Sieve of Eratosthenes', image: 'bench-sieve.elf', expected: 7402605875813512385n },
  { name: 'sort', title: 'Sorting', image: 'bench-sort.elf', expected: 4292158106155573019n },
  { name: 'checksum', title: 'Checksums', image: 'bench-checksum.elf', expected: 3902167225124051303n },
  { name: 'format', title: 'Number formatting', image: 'bench-format.elf', expected: 696926198060828697n },
];
