/* pit.c - program PIT channel 0 as a periodic interrupt source. */
#include "pit.h"
#include "io.h"

#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_SEL_CH0 0x00
#define PIT_ACCESS_LOHI 0x30
#define PIT_MODE2 0x04

uint16_t pit_start_periodic(uint32_t hz)
{
    uint32_t div = (PIT_HZ + hz / 2) / hz;
    if (div < 1)
        div = 1;
    if (div > 65535)
        div = 0; /* 0 means 65536 */
    outb(PIT_CMD, PIT_SEL_CH0 | PIT_ACCESS_LOHI | PIT_MODE2);
    outb(PIT_CH0, (uint8_t)(div & 0xFF));
    outb(PIT_CH0, (uint8_t)(div >> 8));
    return (uint16_t)div;
}
