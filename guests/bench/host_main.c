/* Native oracle: runs a workload's bench_main() on the host and prints its
 * 64-bit result in decimal. Linked with the same workload .c file as the
 * bare-metal image. */
#include <stdio.h>

unsigned long bench_main(void);

int main(void)
{
    printf("%lu\n", bench_main());
    return 0;
}
