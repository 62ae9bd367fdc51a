/* pit.h - 8254 programmable interval timer, channel 0 (IRQ 0). */
#ifndef PACIFICA_LIB_PIT_H
#define PACIFICA_LIB_PIT_H

#include <stdint.h>

#define PIT_HZ 1193182u   /* input clock */

/* Channel 0, mode 2 (rate generator), lobyte/hibyte, binary; divisor rounded to nearest.
 * Returns the divisor programmed. */
uint16_t pit_start_periodic(uint32_t hz);

#endif
