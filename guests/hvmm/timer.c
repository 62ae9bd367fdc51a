/* timer.c - the HVMM's clock: PIT channel 0 on IRQ 0 through the (remapped) 8259 PIC.
 * Each interrupt that arrives while a guest runs ends in #VMEXIT(INTR) (INTR intercepted,
 * V_INTR_MASKING = 1); vm_boot's STGI then lets the host take it here, and sched_tick()
 * ends the slice after slice=MS milliseconds. The PIT's 16-bit divisor allows periods up to
 * ~54 ms, so a longer slice is several ticks. */
#include "hvmm.h"
#include "../lib/io.h"
#include "../lib/pic.h"
#include "../lib/pit.h"

volatile uint64_t timer_ticks;
unsigned timer_hz;

void timer_irq(void)
{
    timer_ticks++;
    pic_eoi(0);
}

void timer_init(unsigned slice_ms)
{
    unsigned per_slice = (slice_ms + 49) / 50;
    timer_hz = (1000 * per_slice + slice_ms / 2) / slice_ms;
    sched_set_ticks_per_slice(per_slice);
    pic_remap(IRQ_BASE_MASTER, IRQ_BASE_SLAVE, 0xFFFE);   /* only IRQ 0 */
    pit_start_periodic(timer_hz);
    sti();                                               /* the host runs with IF = 1 */
    hv_say("hvmm: PIT at %u Hz, %u tick(s) per %u ms slice\n", timer_hz, per_slice, slice_ms);
}
