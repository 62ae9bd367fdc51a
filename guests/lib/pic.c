/* pic.c - 8259A initialisation (ICW1-ICW4), masks and EOI. */
#include "pic.h"
#include "io.h"

#define ICW1_INIT 0x10
#define ICW1_ICW4 0x01
#define ICW4_8086 0x01
#define OCW3_READ_ISR 0x0B

void pic_remap(uint8_t master_base, uint8_t slave_base, uint16_t mask)
{
    outb(PIC1_CMD, ICW1_INIT | ICW1_ICW4); io_wait();
    outb(PIC2_CMD, ICW1_INIT | ICW1_ICW4); io_wait();
    outb(PIC1_DATA, master_base); io_wait();  /* ICW2: vector base */
    outb(PIC2_DATA, slave_base); io_wait();
    outb(PIC1_DATA, 1 << 2); io_wait();       /* ICW3: slave on IRQ 2 */
    outb(PIC2_DATA, 2); io_wait();            /*       slave identity 2 */
    outb(PIC1_DATA, ICW4_8086); io_wait();    /* ICW4 */
    outb(PIC2_DATA, ICW4_8086); io_wait();
    pic_set_mask(mask);
}

void pic_set_mask(uint16_t mask)
{
    outb(PIC1_DATA, (uint8_t)mask);
    outb(PIC2_DATA, (uint8_t)(mask >> 8));
}

void pic_eoi(unsigned irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, PIC_EOI);
    outb(PIC1_CMD, PIC_EOI);
}

bool pic_spurious(unsigned irq)
{
    uint16_t port = irq >= 8 ? PIC2_CMD : PIC1_CMD;
    outb(port, OCW3_READ_ISR);
    if (inb(port) & (1u << (irq & 7)))
        return false;
    if (irq >= 8)
        outb(PIC1_CMD, PIC_EOI);
    return true;
}
