/* pic.h - the 8259A programmable interrupt controller pair. */
#ifndef PACIFICA_LIB_PIC_H
#define PACIFICA_LIB_PIC_H

#include <stdint.h>
#include <stdbool.h>

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xA0
#define PIC2_DATA 0xA1
#define PIC_EOI   0x20

/* Reinitialise both PICs: IRQ 0-7 -> vectors master_base.., IRQ 8-15 -> slave_base..,
 * cascade on IRQ 2, 8086 mode; then set the masks (bit n set = IRQ n masked). */
void pic_remap(uint8_t master_base, uint8_t slave_base, uint16_t mask);
void pic_set_mask(uint16_t mask);
/* End of interrupt for irq (to the slave as well for IRQ 8-15). */
void pic_eoi(unsigned irq);
/* True if irq (7 or 15) is spurious, i.e. not in service; for a spurious IRQ 15 the master
 * still gets its EOI (for the cascade), as the 8259A requires. */
bool pic_spurious(unsigned irq);

#endif
